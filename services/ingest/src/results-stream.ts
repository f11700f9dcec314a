import type { Redis } from 'ioredis';
import { INGEST_GROUP, streamNames } from '@pytest-platform/schema';
import type { StoredRun } from '@pytest-platform/db';
import { deadLetterFields } from './dead-letter.js';
import { compareStreamIds, nextStreamId } from './stream-id.js';
import { replyText, toStreamMessage, type StreamMessage } from './stream-message.js';

/** Announcements kept on `<stream>:events` (approximate, `MAXLEN ~`). */
const EVENTS_MAXLEN = 10_000;

export interface DeadLetter {
  message: StreamMessage;
  reason: string;
}

export interface ClaimResult {
  messages: StreamMessage[];
  /** Where the next XAUTOCLAIM starts; `0-0` once the whole pending list was scanned. */
  cursor: string;
  /** Ids that were pending but no longer exist in the stream (Redis dropped them from the list). */
  deleted: string[];
}

const isBusyGroup = (error: unknown) => error instanceof Error && error.message.startsWith('BUSYGROUP');

const readReply = (reply: unknown): StreamMessage[] => {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const [, entries] = reply[0] as [string, unknown[]];
  return entries.map(toStreamMessage);
};

/**
 * The consumer group's side of the results stream: reading (replies as Buffers, see {@link toStreamMessage}), claiming, acknowledging, dead-lettering,
 * announcing and trimming. `blocking` carries only XREADGROUP BLOCK; everything else goes over `redis`.
 */
export class ResultsStream {
  readonly names: ReturnType<typeof streamNames>;
  readonly group = INGEST_GROUP;

  constructor(
    private readonly redis: Redis,
    private readonly blocking: Redis,
    stream: string,
    private readonly consumer: string,
  ) {
    this.names = streamNames(stream);
  }

  /** Creates the group from the start of the stream (and the stream) unless it exists. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.call('XGROUP', 'CREATE', this.names.results, this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!isBusyGroup(error)) throw error;
    }
  }

  /** New entries, waiting up to `blockMs` for some. */
  async readNew(count: number, blockMs: number): Promise<StreamMessage[]> {
    const reply = await this.blocking.callBuffer(
      'XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', String(count), 'BLOCK', String(blockMs),
      'STREAMS', this.names.results, '>',
    );
    return readReply(reply);
  }

  /** This consumer's own pending entries after `afterId` (a redelivery: their delivery counts go up). */
  async readOwnPending(afterId: string, count: number): Promise<StreamMessage[]> {
    const reply = await this.redis.callBuffer(
      'XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', String(count), 'STREAMS', this.names.results, afterId,
    );
    return readReply(reply);
  }

  /** Takes over entries pending at any consumer for at least `minIdleMs`. */
  async autoclaim(minIdleMs: number, cursor: string, count: number): Promise<ClaimResult> {
    const reply = (await this.redis.callBuffer(
      'XAUTOCLAIM', this.names.results, this.group, this.consumer, String(minIdleMs), cursor, 'COUNT', String(count),
    )) as [Buffer, unknown[], Buffer[]?];
    const [next, entries, deleted = []] = reply;
    return { cursor: replyText(next), messages: entries.map(toStreamMessage), deleted: deleted.map(replyText) };
  }

  /** How often each entry was delivered (XPENDING); entries no longer pending are absent. */
  async deliveryCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.xpending(this.names.results, this.group, id, id, 1);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error, reply] of replies) {
      if (error) throw error;
      for (const [id, , , deliveries] of reply as [string, string, number, number][]) counts.set(id, Number(deliveries));
    }
    return counts;
  }

  /** Resets the idle time of entries this consumer still works on, so no other replica reclaims them. */
  async touch(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.call('XCLAIM', this.names.results, this.group, this.consumer, '0', ...ids, 'JUSTID');
  }

  /** Announces the stored runs and acknowledges their entries, atomically. */
  async acknowledge(ids: readonly string[], runs: readonly StoredRun[]): Promise<void> {
    if (ids.length === 0) return;
    const multi = this.redis.multi();
    for (const run of mergeRuns(runs)) {
      multi.xadd(
        this.names.events, 'MAXLEN', '~', EVENTS_MAXLEN, '*',
        'type', 'run.stored', 'run_id', run.run_id, 'project', run.project, 'branch', run.branch ?? '',
        'finished', run.finished ? '1' : '0',
      );
    }
    multi.xack(this.names.results, this.group, ...ids);
    await execOrThrow(multi);
  }

  /** Moves entries to `<stream>:dead` with their reasons and acknowledges the originals, atomically. */
  async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const multi = this.redis.multi();
    const at = new Date();
    for (const { message, reason } of letters) {
      multi.xadd(this.names.dead, '*', ...deadLetterFields(message, reason, this.consumer, at));
    }
    multi.xack(this.names.results, this.group, ...letters.map((l) => l.message.id));
    await execOrThrow(multi);
  }

  /**
   * Removes entries every group has acknowledged: everything below the oldest pending id, or
   * below the last delivered id when nothing is pending. Returns how many were removed.
   */
  async trimAcknowledged(): Promise<number> {
    const groups = (await this.redis.call('XINFO', 'GROUPS', this.names.results)) as unknown[][];
    if (groups.length === 0) return 0;
    let threshold: string | undefined;
    for (const flat of groups) {
      const info = new Map<string, unknown>();
      for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
      const name = String(info.get('name'));
      let keepFrom = nextStreamId(String(info.get('last-delivered-id') ?? '0-0'));
      if (Number(info.get('pending') ?? 0) > 0) {
        const [, oldest] = (await this.redis.xpending(this.names.results, name)) as [number, string | null];
        if (oldest && compareStreamIds(oldest, keepFrom) < 0) keepFrom = oldest;
      }
      if (threshold === undefined || compareStreamIds(keepFrom, threshold) < 0) threshold = keepFrom;
    }
    if (threshold === undefined) return 0;
    return Number(await this.redis.call('XTRIM', this.names.results, 'MINID', threshold));
  }
}

/** One announcement per run: several entries of a run in one batch are stored together. */
function mergeRuns(runs: readonly StoredRun[]): StoredRun[] {
  const byId = new Map<string, StoredRun>();
  for (const run of runs) {
    const seen = byId.get(run.run_id);
    byId.set(run.run_id, seen ? { ...run, finished: seen.finished || run.finished } : run);
  }
  return [...byId.values()];
}

async function execOrThrow(multi: ReturnType<Redis['multi']>): Promise<void> {
  const replies = await multi.exec();
  if (!replies) throw new Error('Redis transaction was discarded');
  for (const [error] of replies) if (error) throw error;
}
