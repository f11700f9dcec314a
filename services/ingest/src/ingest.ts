import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseEntry, type StreamEntry } from '@pytest-platform/schema';
import { deleteRunsStartedBefore, markStaleRunsInterrupted, RETENTION_BATCH_RUNS, type Store, type StoredRun } from '@pytest-platform/db';
import { createRedisClient, redactUrl } from '@pytest-platform/redis';
import { backoffMs, sleep } from './backoff.js';
import { BatchSizer } from './batch-sizer.js';
import type { IngestConfig } from './env.js';
import { createLogger } from './logger.js';
import { ResultsStream, type DeadLetter } from './results-stream.js';
import { openRunStore, type RunStore } from './run-store.js';
import { isConstraintError, isStoreUnavailable } from './store-unavailable.js';
import type { StreamMessage } from './stream-message.js';

export interface IngestDeps {
  /** @defaultValue a pino logger on stdout at `config.logLevel` */
  logger?: Logger;
  /** An open store to write into instead of opening `config.database`; the caller closes it. */
  store?: Store;
}

export interface IngestStats {
  consumer: string;
  /** Entries read from the stream, new or redelivered. */
  read: number;
  /** Entries written and acknowledged. */
  stored: number;
  /** Entries moved to `<stream>:dead` and acknowledged. */
  deadLettered: number;
  /** Entries taken over from idle consumers (XAUTOCLAIM). */
  claimed: number;
  /** Single-entry writes the database rejected (the entry stays pending until its deliveries run out). */
  writeFailures: number;
  /** Batch retries while the database refused every write. */
  storeRetries: number;
  /** Acknowledged entries trimmed from the stream. */
  trimmed: number;
  /** Silent running runs marked interrupted. */
  interrupted: number;
  /** Runs deleted by retention (`RETENTION_DAYS`). */
  pruned: number;
  /** Loop errors (Redis, housekeeping) that were logged and survived. */
  errors: number;
}

export interface Ingest {
  /** Opens the store, creates the consumer group and starts the loop; resolves once it runs (logged as `ready`). */
  start(): Promise<void>;
  /** Finishes the batch in hand, acknowledges it and releases everything. Idempotent. */
  close(): Promise<void>;
  stats(): IngestStats;
  /**
   * Resolves once the consume loop runs and Redis answers a PING within `timeoutMs`; rejects with the
   * reason otherwise (starting, closing, connection down). What ingest's readiness probe asks.
   */
  checkReady(timeoutMs?: number): Promise<void>;
}

interface Valid {
  message: StreamMessage;
  entry: StreamEntry;
}

interface Failed {
  message: StreamMessage;
  error: unknown;
}

const DAY_MS = 86_400_000;
/** How often the planner's statistics are refreshed. */
const OPTIMIZE_EVERY_MS = 3_600_000;

/** How often retention looks for runs past `RETENTION_DAYS` once none are left. */
const RETENTION_CHECK_MS = 3_600_000;

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
const ids = (items: readonly { message: StreamMessage }[]) => items.map((i) => i.message.id);

/** The ingest consumer: results stream → validation → one transaction per batch → XACK. */
export function createIngest(config: IngestConfig, deps: IngestDeps = {}): Ingest {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const counters: Omit<IngestStats, 'consumer'> = {
    read: 0, stored: 0, deadLettered: 0, claimed: 0, writeFailures: 0, storeRetries: 0, trimmed: 0, interrupted: 0, pruned: 0, errors: 0,
  };
  const stopping = new AbortController();
  const claimEveryMs = Math.min(Math.max(Math.floor(config.claimIdleMs / 2), 100), 10_000);
  let closing = false;
  let redis: Redis | undefined;
  let blocking: Redis | undefined;
  let blockingId: number | undefined;
  let reading = false;
  let store: RunStore | undefined;
  let stream: ResultsStream | undefined;
  let started: Promise<void> | undefined;
  let loop: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  const sizer = new BatchSizer(config.batchSize, config.batchBytes);

  async function retryUntilDone(what: string, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 1; !closing; attempt += 1) {
      try {
        await fn();
        return;
      } catch (error) {
        logger.error({ err: error, attempt }, `could not ${what}; retrying`);
        await sleep(backoffMs(attempt), stopping.signal);
      }
    }
  }

  async function fetchBlockingId(): Promise<void> {
    blockingId = Number(await blocking?.call('CLIENT', 'ID'));
  }

  async function doStart(): Promise<void> {
    store = await openRunStore(config.database, deps.store);
    if (closing) return;
    redis = createRedisClient(config.redisUrl, { name: `ingest:${config.consumer}` });
    blocking = createRedisClient(config.redisUrl, { blocking: true, name: `ingest:${config.consumer}:read` });
    for (const client of [redis, blocking]) {
      client.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
    }
    blocking.on('ready', () => void fetchBlockingId().catch(() => {}));
    stream = new ResultsStream(redis, blocking, config.stream, config.consumer);
    const s = stream;
    await retryUntilDone('create the consumer group', () => s.ensureGroup());
    await retryUntilDone('identify the reading connection', fetchBlockingId);
    if (closing) return;
    loop = run(s, store);
    logger.info(
      {
        stream: config.stream, group: s.group, consumer: config.consumer, redis: redactUrl(config.redisUrl),
        database: store.dialect === 'sqlite' && config.database.dialect === 'sqlite' ? config.database.filename : store.dialect,
      },
      'ready',
    );
  }

  async function acknowledge(s: ResultsStream, items: readonly Valid[], runs: readonly StoredRun[]): Promise<void> {
    await s.acknowledge(ids(items), runs);
    counters.stored += items.length;
  }

  async function deadLetter(s: ResultsStream, letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await s.deadLetter(letters);
    counters.deadLettered += letters.length;
    for (const { message, reason } of letters) logger.warn({ source_id: message.id, type: message.fields?.type, reason }, 'dead-lettered');
  }

  /** Writes entries one at a time to find the ones the database rejects; stops if the database itself fails. */
  async function isolate(s: ResultsStream, rs: RunStore, queue: readonly Valid[]) {
    const stored: Valid[] = [];
    const runs: StoredRun[] = [];
    const failed: Failed[] = [];
    let rest: Valid[] = [];
    let unavailable: unknown;
    for (const [index, item] of queue.entries()) {
      try {
        runs.push(...(await rs.writer.write([item.entry], Date.now())));
        stored.push(item);
      } catch (error) {
        if (isStoreUnavailable(error)) {
          rest = queue.slice(index);
          unavailable = error;
          break;
        }
        counters.writeFailures += 1;
        failed.push({ message: item.message, error });
      }
    }
    if (stored.length > 0) await acknowledge(s, stored, runs);
    return { failed, rest, unavailable };
  }

  /**
   * Stores entries in one transaction and acknowledges them. A rejected batch is split to find the
   * entries the database rejects (returned, still pending); while the database refuses every write
   * the batch is retried in memory, unacknowledged, until it succeeds or ingest closes.
   */
  async function storeEntries(s: ResultsStream, rs: RunStore, items: readonly Valid[]): Promise<Failed[]> {
    const rejected: Failed[] = [];
    let queue = items;
    for (let attempt = 1; queue.length > 0; attempt += 1) {
      let runs: StoredRun[] | undefined;
      let error: unknown;
      try {
        runs = await rs.writer.write(queue.map((i) => i.entry), Date.now());
      } catch (caught) {
        error = caught;
      }
      if (runs) {
        await acknowledge(s, queue, runs);
        return rejected;
      }
      if (!isStoreUnavailable(error)) {
        const isolated = await isolate(s, rs, queue);
        const first = isolated.failed[0];
        const allSame =
          first !== undefined && queue.length > 1 && isolated.failed.length === queue.length &&
          isolated.failed.every((f) => !isConstraintError(f.error) && errorMessage(f.error) === errorMessage(first.error));
        if (allSame) {
          error = first.error;
        } else {
          rejected.push(...isolated.failed);
          if (isolated.unavailable === undefined) return rejected;
          queue = isolated.rest;
          error = isolated.unavailable;
        }
      }
      if (closing) {
        logger.warn({ err: error, pending: queue.length }, 'stopping while the database refuses writes; entries stay pending');
        return rejected;
      }
      counters.storeRetries += 1;
      logger.error({ err: error, entries: queue.length, attempt }, 'database refused the batch; entries stay pending, retrying');
      await s.touch(ids(queue)).catch((touchError: unknown) => logger.warn({ err: touchError }, 'could not refresh pending entries'));
      await sleep(backoffMs(attempt), stopping.signal);
    }
    return rejected;
  }

  /** Validates, stores and acknowledges one batch; returns what is left pending for a later retry. */
  async function handle(s: ResultsStream, rs: RunStore, messages: readonly StreamMessage[], redelivered: boolean) {
    counters.read += messages.length;
    sizer.measure(messages);
    const deliveries = redelivered ? await s.deliveryCounts(messages.map((m) => m.id)) : undefined;
    const deliveriesOf = (id: string) => deliveries?.get(id) ?? 1;
    const dead: DeadLetter[] = [];
    const valid: Valid[] = [];
    for (const message of messages) {
      if (deliveries && !deliveries.has(message.id)) continue;
      const n = deliveriesOf(message.id);
      if (message.fields === null) {
        dead.push({ message, reason: 'entry was deleted from the stream before it was stored' });
      } else if (n > config.maxDeliveries) {
        dead.push({ message, reason: `not stored after ${n - 1} deliveries (max ${config.maxDeliveries}); a consumer may have died on it` });
      } else {
        const parsed = parseEntry(message.fields.type, message.fields.data);
        if (parsed.ok) valid.push({ message, entry: parsed.entry });
        else dead.push({ message, reason: parsed.reason });
      }
    }
    await deadLetter(s, dead);
    const rejected = await storeEntries(s, rs, valid);
    const exhausted = rejected.filter((f) => deliveriesOf(f.message.id) >= config.maxDeliveries);
    await deadLetter(
      s,
      exhausted.map((f) => ({
        message: f.message,
        reason: `write failed ${deliveriesOf(f.message.id)} times: ${errorMessage(f.error)}`,
      })),
    );
    const left = rejected.filter((f) => deliveriesOf(f.message.id) < config.maxDeliveries);
    for (const f of left) {
      logger.warn(
        { err: f.error, source_id: f.message.id, deliveries: deliveriesOf(f.message.id), max_deliveries: config.maxDeliveries },
        'write failed; entry stays pending for another delivery',
      );
    }
    return { pending: left.length, deliveries: Math.max(0, ...left.map((f) => deliveriesOf(f.message.id))) };
  }

  async function run(s: ResultsStream, rs: RunStore): Promise<void> {
    let ownCursor: string | null = '0-0';
    let ownAgain = false;
    let retryOwnAt = 0;
    let claimCursor = '0-0';
    let nextClaimAt = 0;
    let nextTrimAt = Date.now() + config.trimIntervalMs;
    let nextSweepAt = 0;
    let nextPruneAt = config.retentionDays === null ? Infinity : 0;
    let nextOptimizeAt = Date.now() + OPTIMIZE_EVERY_MS;
    let loopErrors = 0;

    const housekeeping = async () => {
      const now = Date.now();
      if (now >= nextTrimAt) {
        nextTrimAt = now + config.trimIntervalMs;
        try {
          const trimmed = await s.trimAcknowledged();
          counters.trimmed += trimmed;
          if (trimmed > 0) logger.debug({ trimmed }, 'trimmed acknowledged entries');
        } catch (error) {
          counters.errors += 1;
          logger.error({ err: error }, 'could not trim the stream');
        }
      }
      if (now >= nextSweepAt) {
        nextSweepAt = now + config.sweepSeconds * 1000;
        try {
          const runIds = await markStaleRunsInterrupted(rs.db, now - config.runStaleSeconds * 1000);
          counters.interrupted += runIds.length;
          if (runIds.length > 0) logger.info({ run_ids: runIds.slice(0, 100), count: runIds.length }, 'marked silent runs interrupted');
        } catch (error) {
          counters.errors += 1;
          logger.error({ err: error }, 'could not mark silent runs interrupted');
        }
      }
      if (now >= nextOptimizeAt) {
        nextOptimizeAt = now + OPTIMIZE_EVERY_MS;
        try {
          rs.optimize();
        } catch (error) {
          counters.errors += 1;
          logger.error({ err: error }, 'could not refresh the planner statistics');
        }
      }
      if (config.retentionDays !== null && now >= nextPruneAt) {
        // One small transaction per loop turn: a full batch comes back next turn, after the stream was served.
        nextPruneAt = now + RETENTION_CHECK_MS;
        try {
          const deleted = await deleteRunsStartedBefore(rs.db, now - config.retentionDays * DAY_MS, RETENTION_BATCH_RUNS);
          counters.pruned += deleted;
          if (deleted === RETENTION_BATCH_RUNS) nextPruneAt = now;
          if (deleted > 0) logger.info({ runs: deleted, retention_days: config.retentionDays }, 'deleted runs past retention');
        } catch (error) {
          counters.errors += 1;
          logger.error({ err: error }, 'could not delete runs past retention');
        }
      }
    };

    const retryLater = (deliveries: number) => {
      if (ownCursor === null) ownCursor = '0-0';
      else ownAgain = true;
      retryOwnAt = Date.now() + backoffMs(Math.max(1, deliveries));
    };

    while (!closing) {
      try {
        await housekeeping();
        const now = Date.now();
        let left = { pending: 0, deliveries: 0 };
        if (ownCursor !== null && now >= retryOwnAt) {
          const messages = await s.readOwnPending(ownCursor, sizer.count());
          if (messages.length === 0) {
            ownCursor = ownAgain ? '0-0' : null;
            ownAgain = false;
            continue;
          }
          ownCursor = messages.at(-1)?.id ?? ownCursor;
          left = await handle(s, rs, messages, true);
        } else if (now >= nextClaimAt) {
          const claim = await s.autoclaim(config.claimIdleMs, claimCursor, sizer.count());
          claimCursor = claim.cursor;
          if (claim.cursor === '0-0') nextClaimAt = now + claimEveryMs;
          if (claim.deleted.length > 0) {
            logger.warn({ ids: claim.deleted.slice(0, 100), count: claim.deleted.length }, 'pending entries were deleted from the stream before they were stored');
          }
          if (claim.messages.length > 0) {
            counters.claimed += claim.messages.length;
            logger.info({ count: claim.messages.length }, 'claimed entries left pending by another consumer');
            left = await handle(s, rs, claim.messages, true);
          }
        } else {
          const wakeAt = Math.min(nextClaimAt, nextTrimAt, nextSweepAt, nextPruneAt, ownCursor === null ? Infinity : retryOwnAt);
          const blockMs = Math.max(1, Math.min(config.blockMs, wakeAt - now));
          if (closing) break;
          reading = true;
          let messages: StreamMessage[];
          try {
            messages = await s.readNew(sizer.count(), blockMs);
          } finally {
            reading = false;
          }
          if (messages.length > 0) left = await handle(s, rs, messages, false);
        }
        if (left.pending > 0) retryLater(left.deliveries);
        loopErrors = 0;
      } catch (error) {
        if (closing) break;
        loopErrors += 1;
        counters.errors += 1;
        logger.error({ err: error }, 'ingest loop error; entries in hand stay pending, retrying');
        if (errorMessage(error).startsWith('NOGROUP')) await s.ensureGroup().catch(() => {});
        retryLater(0);
        await sleep(backoffMs(loopErrors), stopping.signal);
      }
    }
  }

  async function breakBlockingRead(): Promise<void> {
    if (!loop) return;
    if (reading && blockingId !== undefined) {
      await redis?.call('CLIENT', 'UNBLOCK', String(blockingId)).catch(() => blocking?.disconnect());
    }
    const timeout = new AbortController();
    const finished = await Promise.race([
      loop.then(() => true),
      sleep(config.blockMs + 1000, timeout.signal).then(() => false),
    ]);
    timeout.abort();
    if (!finished) {
      blocking?.disconnect();
      await loop;
    }
  }

  async function doClose(): Promise<void> {
    closing = true;
    stopping.abort();
    await started?.catch(() => {});
    await breakBlockingRead();
    await redis?.quit().catch(() => redis?.disconnect());
    blocking?.disconnect();
    await store?.close();
    logger.info({ ...counters, consumer: config.consumer }, 'closed');
  }

  return {
    start() {
      if (closing) return Promise.reject(new Error('ingest was closed'));
      started ??= doStart();
      return started;
    },
    close() {
      closed ??= doClose();
      return closed;
    },
    stats: () => ({ consumer: config.consumer, ...counters }),
    async checkReady(timeoutMs = 1_500) {
      if (closing) throw new Error('ingest is stopping');
      if (!loop || !redis || !blocking) throw new Error('ingest is starting: waiting for the database and Redis');
      for (const client of [redis, blocking]) {
        if (client.status !== 'ready') throw new Error(`a Redis connection is ${client.status}`);
      }
      const timeout = new AbortController();
      try {
        const answered = await Promise.race([redis.ping().then(() => true), sleep(timeoutMs, timeout.signal).then(() => false)]);
        if (!answered) throw new Error(`Redis did not answer PING within ${timeoutMs} ms`);
      } finally {
        timeout.abort();
      }
    },
  };
}
