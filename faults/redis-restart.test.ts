import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@pytest-platform/db';
import { INGEST_GROUP } from '@pytest-platform/schema';
import { listSpool } from '@pytest-platform/reporter';
import { startRedisServer } from '../scripts/lib/local-redis.js';
import { buildPackages } from '../test-support/build.js';
import { randomStream } from '../test-support/runs.js';
import { freePort, repoRoot, startService, type RunningService } from '../test-support/services.js';
import {
  countLogged, countRuns, reconcile, recordFigures, startProducer, tempDir, waitFor, expectExact, type Producer } from './support.js';

// Redis (its own redis-server, AOF with appendfsync everysec) stopped with SIGTERM and started
// again on the same port and directory while three producer processes send runs through the Node
// collector and ingest writes to SQLite. Producers spool while Redis is down and flush on their next
// run; one stops during the outage and its spool is sent by `pytest-platform flush`. Ingest
// reconnects. Nothing a producer was told was sent (or spooled) may be missing.
const run = promisify(execFile);
const stream = randomStream('faults-redis');
const dir = tempDir();
const dataDir = join(dir.path, 'redis');
let port = 0;
let server: { url: string; stop(): Promise<void> } | undefined;
let store: Store;
let ingest: RunningService | undefined;
const producers: Producer[] = [];

beforeAll(async () => {
  buildPackages('shared/reporter');
  port = await freePort();
  server = await startRedisServer({ port, dataDir });
  store = await openDatabase(join(dir.path, 'faults.sqlite'));
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.stop()));
  await ingest?.stop('SIGKILL');
  await store?.close();
  await server?.stop();
  dir.cleanup();
});

describe('Redis restarted under load', () => {
  it('loses nothing: producers spool and flush, ingest reconnects, every run is stored once', { timeout: 150_000 }, async () => {
    const url = server!.url;
    ingest = await startService('ingest', {
      REDIS_URL: url, RESULTS_STREAM: stream, DATABASE_URL: join(dir.path, 'faults.sqlite'), INGEST_BATCH_SIZE: '20',
      INGEST_BLOCK_MS: '100', INGEST_CLAIM_IDLE_MS: '2000', LOG_LEVEL: 'info',
    });
    for (let i = 0; i < 3; i++) {
      producers.push(startProducer({ REDIS_URL: url, RESULTS_STREAM: stream, FAULTS_PROJECT: 'faults-redis', FAULTS_WORKER: `redis-${i}` }, join(dir.path, `spool-${i}`)));
    }
    const [first, second, third] = producers as [Producer, Producer, Producer];
    await waitFor('the producers to send runs', () => producers.every((p) => p.runs.filter((r) => r.sent > 0).length >= 5));
    await waitFor('ingest to store some', async () => (await countRuns(store)) >= 15);

    await server!.stop();
    const outageStarted = producers.map((p) => p.runs.length);
    await waitFor('every producer to spool runs while Redis is down', () =>
      producers.every((p, i) => p.runs.slice(outageStarted[i]).filter((r) => r.spooled > 0).length >= 2));
    // A worker whose job ends during the outage: its spool waits for `pytest-platform flush`.
    await third.stop();
    const spooledByThird = (await listSpool(third.spoolDir)).length;

    server = await startRedisServer({ port, dataDir });
    await waitFor('the running producers to flush their spool on their next run', () =>
      [first, second].every((p) => p.runs.some((r) => r.flushed > 0)));
    const afterRestart = [first, second].map((p) => p.runs.length);
    await waitFor('load after the restart', () => [first, second].every((p, i) => p.runs.length >= afterRestart[i]! + 10));
    await Promise.all([first.stop(), second.stop()]);

    const flushes = await Promise.all(producers.map(async (p) => {
      const { stdout } = await run(process.execPath, ['shared/reporter/bin/pytest-platform.js', 'flush'], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: url, RESULTS_STREAM: stream, PYTEST_PLATFORM_SPOOL_DIR: p.spoolDir },
      });
      return Number(/^(\d+) spooled run\(s\) sent/.exec(stdout)?.[1] ?? NaN);
    }));
    for (const p of producers) expect(await listSpool(p.spoolDir)).toEqual([]);

    const runs = producers.flatMap((p) => p.runs);
    await waitFor('every run stored', async () => (await countRuns(store)) >= runs.length, 60_000, 200);
    const redis = new Redis(url);
    try {
      await waitFor('nothing pending', async () => Number(((await redis.xpending(stream, INGEST_GROUP)) as [number])[0]) === 0, 30_000, 200);
      const result = await reconcile(store, runs);
      const deadLetters = await redis.xlen(`${stream}:dead`);
      const events = await redis.xlen(`${stream}:events`);
      const spooled = runs.reduce((n, r) => n + r.spooled, 0);
      const flushedByCollectors = runs.reduce((n, r) => n + r.flushed, 0);
      const flushedByCli = flushes.reduce((a, b) => a + b, 0);

      recordFigures('redis-restart', {
        store: 'sqlite', producers: producers.length, redis: 'redis-server, AOF appendfsync everysec',
        faults_injected: 1, fault: 'Redis stopped (SIGTERM) and started again on the same port and AOF directory',
        runs_produced: result.produced, runs_stored: result.stored, runs_lost: result.lost.length, extra_runs: result.extra.length,
        mismatched_runs: result.mismatched.length, result_rows: result.resultRows, expected_result_rows: result.expectedResults,
        runs_sent_directly: runs.filter((r) => r.sent > 0).length, runs_spooled: spooled,
        spooled_runs_flushed_by_next_run: flushedByCollectors, spooled_runs_flushed_by_cli: flushedByCli,
        spooled_by_producer_stopped_during_outage: spooledByThird,
        ingest_redis_errors_logged: countLogged(ingest.output(), 'redis connection error'),
        ingest_loop_errors_logged: countLogged(ingest.output(), 'ingest loop error; entries in hand stay pending, retrying'),
        run_stored_events: events, dead_letters: deadLetters,
      });

      expectExact(result, runs.length);
      expect(deadLetters).toBe(0);
      expect(spooled).toBeGreaterThanOrEqual(6);
      expect(spooledByThird).toBeGreaterThanOrEqual(2);
      expect(flushedByCli).toBe(spooledByThird);
      expect(flushedByCollectors + flushedByCli).toBe(spooled);
      expect(ingest.proc.exitCode).toBeNull();
      expect(ingest.output()).toContain('redis connection error');
    } finally {
      redis.disconnect();
    }
  });
});
