import { INGEST_GROUP, type Health } from '@pytest-platform/schema';
import type { Redis } from 'ioredis';
import { withTimeout } from './with-timeout.js';

export const unknownIngest: Health['ingest'] = { pending: null, lag: null, dead_letters: null };

const orNull = <T>(promise: Promise<T>) => promise.catch(() => null);

const toCount = (value: unknown): number | null => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
};

/** A flat field/value reply of XINFO as a map. */
const fields = (reply: readonly unknown[]) => {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), reply[i + 1]);
  return map;
};

/** The ingest consumer group's entry in an XINFO GROUPS reply. */
const ingestGroup = (reply: unknown) =>
  (Array.isArray(reply) ? reply : []).filter(Array.isArray).map(fields).find((group) => group.get('name') === INGEST_GROUP);

/** Entries added to the stream minus entries the group read: the lag where Redis (< 7) cannot tell it. */
async function countedLag(redis: Redis, stream: string, group: Map<string, unknown>): Promise<number | null> {
  const info = await orNull(withTimeout(redis.xinfo('STREAM', stream), 'XINFO STREAM'));
  const added = Array.isArray(info) ? toCount(fields(info).get('entries-added')) : null;
  const read = toCount(group.get('entries-read'));
  return added !== null && read !== null ? Math.max(0, added - read) : null;
}

/**
 * The ingest backlog on the results stream: entries delivered but not acknowledged (`pending`),
 * entries not yet delivered (`lag`), both `null` while no consumer group exists, and the length of
 * the dead-letter stream. A count Redis does not give in time is `null`.
 */
export async function ingestStatus(redis: Redis, streams: { results: string; dead: string }): Promise<Health['ingest']> {
  const [pending, groups, dead] = await Promise.all([
    orNull(withTimeout(redis.xpending(streams.results, INGEST_GROUP), 'XPENDING')),
    orNull(withTimeout(redis.xinfo('GROUPS', streams.results), 'XINFO GROUPS')),
    orNull(withTimeout(redis.xlen(streams.dead), 'XLEN')),
  ]);
  const group = ingestGroup(groups);
  if (group === undefined) return { pending: null, lag: null, dead_letters: toCount(dead) };
  return {
    pending: Array.isArray(pending) ? toCount(pending[0]) : null,
    lag: toCount(group.get('lag')) ?? (await countedLag(redis, streams.results, group)),
    dead_letters: toCount(dead),
  };
}
