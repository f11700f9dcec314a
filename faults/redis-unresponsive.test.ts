import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@pytest-platform/db';
import { INGEST_GROUP } from '@pytest-platform/schema';
import { listSpool } from '@pytest-platform/reporter';
import { randomStream } from '../test-support/runs.js';
import { startService, type RunningService } from '../test-support/services.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import {
  countRuns, expectExact, reconcile, reconciliationFigures, recordFigures, startProducer, tempDir, waitFor, type Producer,
} from './support.js';

// A Redis that stops answering without closing its connections: its own redis-server is frozen with
// SIGSTOP (twice, each time until every producer spooled a run) and later blocked by `DEBUG SLEEP`,
// while three producers send runs with a 1 s stop timeout and ingest (SQLite) sits in its blocking
// read. TCP connections stay open and new ones are still accepted by the kernel, so nothing fails
// fast: producers must give up within their stop timeout and spool, and ingest's blocking read and
// commands must carry on when Redis answers again. A run whose XADD waited in a socket and was
// executed after the thaw is also in a spool: ingest stores the duplicate once.
const STOP_TIMEOUT_S = 1;
const SLEEP_S = 4;
const stream = randomStream('faults-frozen');
const dir = tempDir();
const dbFile = join(dir.path, 'faults.sqlite');
let server: PrivateRedis | undefined;
let store: Store;
let ingest: RunningService | undefined;
const producers: Producer[] = [];

beforeAll(async () => {
  server = await startPrivateRedis(join(dir.path, 'redis'), 'always');
  store = await openDatabase(dbFile);
});

afterAll(async () => {
  server?.thaw();
  await Promise.all(producers.map((p) => p.stop()));
  await ingest?.stop('SIGKILL');
  await store?.close();
  await server?.stop();
  dir.cleanup();
});

const sent = (p: Producer, from = 0) => p.runs.slice(from).filter((r) => r.sent > 0).length;
const spooled = (p: Producer, from = 0) => p.runs.slice(from).filter((r) => r.spooled > 0).length;

/** After Redis answers again: every producer sent a run and its spool is empty. */
const recovered = (label: string) => {
  const at = producers.map((p) => p.runs.length);
  return waitFor(`every producer to send again and empty its spool after ${label}`, async () =>
    (await Promise.all(producers.map(async (p, i) => sent(p, at[i]) > 0 && (await listSpool(p.spoolDir)).length === 0))).every(Boolean), 60_000, 100);
};

/** SIGSTOP until every producer gave up on a run within its stop timeout and spooled it, then SIGCONT. */
async function freeze(): Promise<{ runs_spooled: number; runs_reported_while_frozen: number }> {
  const at = producers.map((p) => p.runs.length);
  server!.freeze();
  try {
    await waitFor('every producer to spool a run while Redis does not answer', () => producers.every((p, i) => spooled(p, at[i]) > 0), 60_000, 100);
  } finally {
    server!.thaw();
  }
  return {
    runs_spooled: producers.reduce((n, p, i) => n + spooled(p, at[i]), 0),
    runs_reported_while_frozen: producers.reduce((n, p, i) => n + p.runs.length - at[i]!, 0),
  };
}

/** `DEBUG SLEEP`: Redis's one thread is busy for SLEEP_S seconds; every client waits. */
async function debugSleep(): Promise<{ runs_spooled: number; runs_reported_while_asleep: number }> {
  const client = new Redis(server!.url);
  try {
    const at = producers.map((p) => p.runs.length);
    await client.call('DEBUG', 'SLEEP', String(SLEEP_S));
    return {
      runs_spooled: producers.reduce((n, p, i) => n + spooled(p, at[i]), 0),
      runs_reported_while_asleep: producers.reduce((n, p, i) => n + p.runs.length - at[i]!, 0),
    };
  } finally {
    client.disconnect();
  }
}

/** Stream entries ever added (XINFO STREAM `entries-added`), duplicates included. */
async function entriesAdded(redis: Redis): Promise<number> {
  const info = (await redis.call('XINFO', 'STREAM', stream)) as unknown[];
  return Number(info[info.indexOf('entries-added') + 1]);
}

describe('a Redis that stops answering without closing connections', () => {
  it('producers spool within their stop timeout, ingest resumes, every run is stored once', { timeout: 150_000 }, async () => {
    ingest = await startService('ingest', {
      REDIS_URL: server!.url, RESULTS_STREAM: stream, DATABASE_URL: dbFile, INGEST_BATCH_SIZE: '20', INGEST_BLOCK_MS: '100', LOG_LEVEL: 'info',
    });
    for (let i = 0; i < 3; i++) {
      producers.push(startProducer({
        REDIS_URL: server!.url, RESULTS_STREAM: stream, FAULTS_PROJECT: 'faults-frozen', FAULTS_WORKER: `frozen-${i}`,
        PYTEST_PLATFORM_STOP_TIMEOUT: String(STOP_TIMEOUT_S), FAULTS_PAUSE_MS: '10',
      }, join(dir.path, `spool-${i}`)));
    }
    await waitFor('the producers to send runs', () => producers.every((p) => sent(p) >= 5));
    await waitFor('ingest to store some', async () => (await countRuns(store)) >= 15);

    const frozen = [];
    for (let k = 0; k < 2; k++) {
      frozen.push(await freeze());
      await recovered(`thaw ${k + 1}`);
    }
    const asleep = await debugSleep();
    await recovered('DEBUG SLEEP');
    const atEnd = producers.map((p) => p.runs.length);
    await waitFor('more load', () => producers.every((p, i) => p.runs.length >= atEnd[i]! + 5));
    await Promise.all(producers.map((p) => p.stop()));
    for (const p of producers) expect(await listSpool(p.spoolDir)).toEqual([]);

    const runs = producers.flatMap((p) => p.runs);
    await waitFor('every run stored', async () => (await countRuns(store)) >= runs.length, 60_000, 200);
    const redis = new Redis(server!.url);
    try {
      await waitFor('nothing pending', async () => Number(((await redis.xpending(stream, INGEST_GROUP)) as [number])[0]) === 0, 30_000, 200);
      const result = await reconcile(store, runs);
      const entries = await entriesAdded(redis);
      const deadLetters = await redis.xlen(`${stream}:dead`);
      recordFigures('redis-unresponsive', {
        store: 'sqlite', producers: producers.length, redis: 'its own redis-server, AOF appendfsync always', stop_timeout_s: STOP_TIMEOUT_S,
        faults_injected: frozen.length + 1, fault: `Redis frozen with SIGSTOP until every producer spooled a run, then SIGCONT (×2); DEBUG SLEEP ${SLEEP_S} (×1)`,
        ...reconciliationFigures(result), freezes: frozen, debug_sleep: asleep,
        runs_spooled: runs.reduce((n, r) => n + r.spooled, 0), stream_entries_added: entries,
        duplicate_entries_stored_once: entries - runs.length, dead_letters: deadLetters,
      });

      expectExact(result, runs.length);
      expect(entries).toBeGreaterThanOrEqual(runs.length);
      expect(deadLetters).toBe(0);
      expect(ingest.proc.exitCode).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});
