import { redisKeyFor } from '@pytest-platform/schema';
import type { Redis } from 'ioredis';
import { closeRedis, connectRedis } from './redis-client.js';
import { recordedSeconds } from './shard-plan.js';

/**
 * What the platform publishes for the reporters: the quarantine list and the recorded durations,
 * JSON text under the keys of `contract.json` `redisKeys`, read with a plain GET once, within
 * {@link READ_TIMEOUT_MS} (connecting included). Unreachable, too slow or unreadable means no test
 * is quarantined and shards are split by count, said in one warning line; a missing quarantine
 * key is an empty list and says nothing. The pytest plugin reads them the same way
 * (`pytest_platform/published.py`); `shared/schema/fixtures/published-lists.json` holds the cases.
 *
 * With a build id, the first shard of the build to read the durations copies what it read to the
 * build's snapshot key (SET NX, kept {@link SNAPSHOT_SECONDS}) and every shard of that build splits
 * by the copy, so the N shards agree even when ingest updates the durations between their starts.
 */

const READ_TIMEOUT_MS = 1000;
const SNAPSHOT_SECONDS = 86_400;

/** A quarantined test as published. */
export interface QuarantinedTest {
  reason: string | null;
  since: string | null;
  expires_at: string | null;
  by: string | null;
}

/** Recorded seconds per test id and per test file. */
export interface RecordedDurations {
  tests: Record<string, number>;
  files: Record<string, number>;
}

export interface Published {
  quarantine: Map<string, QuarantinedTest>;
  /** `null`: no record (a split by count). */
  durations: RecordedDurations | null;
  /** The one line to print, or `null`. */
  warning: string | null;
}

export interface ReadRequest {
  redisUrl: string | null;
  stream: string;
  project: string;
  buildId?: string | null;
  quarantine?: boolean;
  durations?: boolean;
  /** @defaultValue {@link READ_TIMEOUT_MS} */
  timeoutMs?: number;
  /** @defaultValue `Date.now()` */
  nowMs?: number;
}

class InvalidDocument extends Error {}

const TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (year: number, month: number) => (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS[month - 1]!);

/**
 * An ISO 8601 date-time with a zone (`2026-12-01T10:00:00.000Z`) as Unix milliseconds, else `null`.
 * Only what a calendar holds: a month of 1–12, its days, hours 0–23, no leap second; fractions
 * below a millisecond are dropped.
 */
export function parseTimeMs(text: unknown): number | null {
  const match = typeof text === 'string' ? TIME.exec(text) : null;
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59)) return null;
  const zone = match[8]!;
  let offset = 0;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offset = (oh * 60 + om) * (zone.startsWith('+') ? 1 : -1);
  }
  const millis = Number(`${match[7] ?? ''}000`.slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime() - offset * 60_000 + millis;
}

function load(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidDocument(`not JSON: ${(error as Error).message}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The quarantined tests of a published list, without expired entries. `null` (a missing key) is an
 * empty list. An entry without a non-empty `nodeid`, or whose `expires_at` is neither null nor a
 * date-time, is left out; one whose `expires_at` is not after `nowMs` has expired. Throws when the
 * value is not such a list.
 */
export function parseQuarantine(text: string | null, nowMs: number): Map<string, QuarantinedTest> {
  const out = new Map<string, QuarantinedTest>();
  if (text === null) return out;
  const doc = load(text);
  if (!isObject(doc) || !Array.isArray(doc.tests)) throw new InvalidDocument('expected {"tests": [...]}');
  for (const entry of doc.tests as unknown[]) {
    if (!isObject(entry)) continue;
    const nodeid = entry.nodeid;
    if (typeof nodeid !== 'string' || nodeid === '' || out.has(nodeid)) continue;
    const expires = entry.expires_at;
    if (expires !== null && expires !== undefined) {
      const expiresMs = parseTimeMs(expires);
      if (expiresMs === null || expiresMs <= nowMs) continue;
    }
    const textOf = (value: unknown) => (typeof value === 'string' ? value : null);
    out.set(nodeid, { reason: textOf(entry.reason), since: textOf(entry.since), expires_at: textOf(entry.expires_at), by: textOf(entry.by) });
  }
  return out;
}

/**
 * The recorded seconds of a published record. `null` (a missing key, or a build snapshot of one:
 * `null`) is no record. A missing map is empty; values that are not a finite number ≥ 0 are left
 * out. Throws when the value is not such a record.
 */
export function parseDurations(text: string | null): RecordedDurations | null {
  const doc = text === null ? null : load(text);
  if (doc === null) return null;
  if (!isObject(doc)) throw new InvalidDocument('expected {"tests": {...}, "files": {...}}');
  const out: RecordedDurations = { tests: {}, files: {} };
  for (const name of ['tests', 'files'] as const) {
    const seconds = doc[name] ?? {};
    if (!isObject(seconds)) throw new InvalidDocument(`"${name}" is not an object`);
    for (const [key, value] of Object.entries(seconds)) {
      const recorded = recordedSeconds(value);
      if (recorded !== null) Object.defineProperty(out[name], key, { value: recorded, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

const describe = (error: unknown) => `${error instanceof Error ? error.constructor.name : 'Error'}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;

const redact = (url: string) => url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');

const what = (quarantine: boolean, durations: boolean) =>
  [quarantine && 'the quarantine list', durations && 'the recorded durations'].filter(Boolean).join(' and ');

/** What a command does without the values: the end of every warning line. */
export const consequence = (quarantine: boolean, durations: boolean) =>
  [quarantine && 'no test is quarantined', durations && 'shards are split by count'].filter(Boolean).join(', ');

/** The durations text, or with a build the build's snapshot (made from the live record by the first to ask). */
async function durationsText(redis: Redis, live: string, snapshot: string | null): Promise<string | null> {
  if (snapshot === null) return redis.get(live);
  const shared = await redis.get(snapshot);
  if (shared !== null) return shared;
  const current = await redis.get(live);
  const text = current ?? 'null';
  try {
    if (await redis.set(snapshot, text, 'EX', SNAPSHOT_SECONDS, 'NX')) return text;
    return (await redis.get(snapshot)) ?? text; // another shard of the build was first
  } catch (error) {
    if (error instanceof Error && error.name === 'ReplyError') return text; // e.g. an ACL user that may not SET: the live record, not shared
    throw error;
  }
}

async function fetchTexts(url: string, keys: { quarantine?: string; durations?: string; snapshot: string | null }, timeoutMs: number, signal: AbortSignal) {
  const redis = await connectRedis(url, { connectTimeoutMs: timeoutMs, signal });
  try {
    return {
      quarantine: keys.quarantine === undefined ? null : await redis.get(keys.quarantine),
      durations: keys.durations === undefined ? null : await durationsText(redis, keys.durations, keys.snapshot),
    };
  } finally {
    void closeRedis(redis);
  }
}

/** Reads what was asked for, within the timeout; never throws. */
export async function readPublished(request: ReadRequest): Promise<Published> {
  const quarantine = request.quarantine ?? false;
  const durations = request.durations ?? false;
  const published: Published = { quarantine: new Map(), durations: null, warning: null };
  if (!quarantine && !durations) return published;
  if (request.redisUrl === null) {
    published.warning = `pytest-platform: no Redis URL (PYTEST_PLATFORM_REDIS_URL or REDIS_URL), so ${what(quarantine, durations)} ${durations ? 'are' : 'is'} not read: ${consequence(quarantine, durations)}`;
    return published;
  }
  const keys = {
    quarantine: quarantine ? redisKeyFor('quarantine', request.stream, request.project) : undefined,
    durations: durations ? redisKeyFor('durations', request.stream, request.project) : undefined,
    snapshot: durations && request.buildId ? redisKeyFor('durationsSnapshot', request.stream, request.project, request.buildId) : null,
  };
  const timeoutMs = request.timeoutMs ?? READ_TIMEOUT_MS;
  const abort = new AbortController();
  const late = `no answer within ${timeoutMs / 1000} s`;
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let texts: { quarantine: string | null; durations: string | null };
  try {
    texts = await fetchTexts(request.redisUrl, keys, timeoutMs, abort.signal);
  } catch (error) {
    const why = abort.signal.aborted ? late : describe(error);
    published.warning = `pytest-platform: could not read ${what(quarantine, durations)} from Redis at ${redact(request.redisUrl)} (${why}): ${consequence(quarantine, durations)}`;
    return published;
  } finally {
    clearTimeout(timer);
  }
  const problems: string[] = [];
  if (quarantine) {
    try {
      published.quarantine = parseQuarantine(texts.quarantine, request.nowMs ?? Date.now());
    } catch (error) {
      if (!(error instanceof InvalidDocument)) throw error;
      problems.push(`the quarantine list at ${keys.quarantine} is not valid (${error.message}): no test is quarantined`);
    }
  }
  if (durations) {
    try {
      published.durations = parseDurations(texts.durations);
      if (published.durations === null) problems.push(`no recorded durations for project ${request.project} yet: shards are split by count`);
    } catch (error) {
      if (!(error instanceof InvalidDocument)) throw error;
      problems.push(`the recorded durations at ${keys.durations} are not valid (${error.message}): shards are split by count`);
    }
  }
  if (problems.length > 0) published.warning = `pytest-platform: ${problems.join('; ')}`;
  return published;
}
