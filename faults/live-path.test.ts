import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@pytest-platform/db';
import { INGEST_GROUP, limits } from '@pytest-platform/schema';
import { listSpool } from '@pytest-platform/reporter';
import { randomStream } from '../test-support/runs.js';
import { startService, type RunningService } from '../test-support/services.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import {
  countLogged, countRuns, expectExact, reconcile, reconciliationFigures, recordFigures, killWhileHolding, runStates, startProducer, sumLogged, tempDir, waitFor, type Producer,
} from './support.js';

// The live path under faults: producers send `run.started` → `run.tests`… → `run.finished`
// (PYTEST_PLATFORM_LIVE=1; every 20th run has more tests than one live batch holds) while two workers
// are SIGKILLed in the middle of a run (after their first `run.tests` batch arrived), ingest is
// SIGKILLed twice and restarted under the same consumer name, and Redis (its own, appendfsync always)
// is SIGKILLed and restarted from its AOF. Every finished run must be stored once with all its tests;
// the killed workers' runs must end `interrupted` (RUN_STALE_SECONDS=2) with exactly the batch that
// arrived, and are reconciled as produced with that many tests.
const INGEST_KILLS = 2;
const CONSUMER = 'faults-live';
const stream = randomStream('faults-live');
const dir = tempDir();
const dbFile = join(dir.path, 'faults.sqlite');
let server: PrivateRedis | undefined;
let redis: Redis;
let store: Store;
let ingest: RunningService | undefined;
/** Every ingest process, the killed ones too: their logs are part of the figures. */
const ingests: RunningService[] = [];
const producers: Producer[] = [];
const victims: Producer[] = [];

beforeAll(async () => {
  server = await startPrivateRedis(join(dir.path, 'redis'), 'always');
  redis = new Redis(server.url);
  redis.on('error', () => {}); // while Redis is down; it reconnects
  store = await openDatabase(dbFile);
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.stop()));
  for (const v of victims) v.proc.kill('SIGKILL');
  await ingest?.stop('SIGKILL');
  await store?.close();
  redis?.disconnect();
  await server?.stop();
  dir.cleanup();
});

async function startIngest(): Promise<void> {
  ingest = await startService('ingest', {
    REDIS_URL: server!.url, RESULTS_STREAM: stream, DATABASE_URL: dbFile, INGEST_BATCH_SIZE: '20', INGEST_BLOCK_MS: '100',
    INGEST_CONSUMER: CONSUMER, RUN_STALE_SECONDS: '2', INGEST_SWEEP_SECONDS: '1', LOG_LEVEL: 'info',
  });
  ingests.push(ingest);
}
const producerEnv = (worker: string, extra: Record<string, string> = {}) => ({
  REDIS_URL: server!.url, RESULTS_STREAM: stream, FAULTS_PROJECT: 'faults-live', FAULTS_WORKER: worker, PYTEST_PLATFORM_LIVE: '1', ...extra,
});
const produced = () => producers.reduce((n, p) => n + p.runs.length, 0);
const ownPending = async () => ((await redis.xpending(stream, INGEST_GROUP, '-', '+', 1000, CONSUMER)) as unknown[]).length;

/** Two workers SIGKILLed in the middle of a run, once their first live batch is stored. */
async function killWorkersMidRun(): Promise<string[]> {
  for (let i = 0; i < 2; i++) victims.push(startProducer(producerEnv(`live-victim-${i}`, { FAULTS_HANG_AFTER: '1500' }), join(dir.path, `victim-${i}`)));
  const runIds = await waitFor('each worker to start its run', () => (victims.every((v) => v.started.length > 0) ? victims.map((v) => v.started[0]!) : null));
  // (A sweep may already call a run interrupted: the worker hangs silent after its batch.)
  await waitFor('the first live batch of each run to be stored', async () =>
    [...(await runStates(store, runIds)).values()].filter((r) => r.total >= limits.reporterBatchTests).length === runIds.length, 60_000, 100);
  for (const v of victims) {
    v.proc.kill('SIGKILL');
    await v.stop();
  }
  return runIds;
}

/** SIGKILLs ingest while it holds unacknowledged entries and starts it again under the same name once a backlog built up. */
async function killIngest(): Promise<number> {
  const storedBefore = await countRuns(store);
  await waitFor('the load to keep flowing', async () => (await countRuns(store)) >= storedBefore + 10);
  const held = await killWhileHolding(ingest!, ownPending);
  const atKill = produced();
  await waitFor('a backlog while ingest is down', () => produced() >= atKill + 15);
  await startIngest();
  return held;
}

/** SIGKILLs Redis under live load and restarts it from its AOF; producers spool the runs that broke and flush them later. */
async function crashRedis(): Promise<number> {
  const atKill = producers.map((p) => p.runs.length);
  await server!.kill('SIGKILL');
  await waitFor('every producer to spool a run while Redis is down', () => producers.every((p, i) => p.runs.slice(atKill[i]).some((r) => r.spooled > 0)));
  const spooled = producers.reduce((n, p, i) => n + p.runs.slice(atKill[i]).filter((r) => r.spooled > 0).length, 0);
  await server!.restart();
  const atRestart = producers.map((p) => p.runs.length);
  // A live run that went through flushes the spool before it returns.
  await waitFor('every producer to send again and empty its spool', async () =>
    (await Promise.all(producers.map(async (p, i) => p.runs.slice(atRestart[i]).some((r) => r.sent > 0) && (await listSpool(p.spoolDir)).length === 0))).every(Boolean));
  return spooled;
}

describe('the live path under faults', () => {
  it('stores every finished run once with all its tests; killed workers\' runs end interrupted', { timeout: 150_000 }, async () => {
    await startIngest();
    for (let i = 0; i < 3; i++) {
      producers.push(startProducer(producerEnv(`live-${i}`, { FAULTS_BIG_EVERY: '20', FAULTS_BIG_TESTS: '1050' }), join(dir.path, `spool-${i}`)));
    }
    await waitFor('the producers to finish runs', () => producers.every((p) => p.runs.length >= 3));

    const victimRuns = await killWorkersMidRun();
    const pendingAtIngestKill: number[] = [];
    for (let k = 0; k < INGEST_KILLS; k++) pendingAtIngestKill.push(await killIngest());
    const spooledDuringCrash = await crashRedis();
    const atLast = producers.map((p) => p.runs.length);
    await waitFor('load after the restart', () => producers.every((p, i) => p.runs.length >= atLast[i]! + 9));
    await Promise.all(producers.map((p) => p.stop()));
    for (const p of producers) expect(await listSpool(p.spoolDir)).toEqual([]);

    const runs = producers.flatMap((p) => p.runs);
    await waitFor('every finished run stored', async () => (await countRuns(store)) >= runs.length + victimRuns.length, 60_000, 200);
    await waitFor('nothing pending', async () => Number(((await redis.xpending(stream, INGEST_GROUP)) as [number])[0]) === 0, 30_000, 200);
    await waitFor('the killed workers\' runs to be interrupted', async () =>
      [...(await runStates(store, victimRuns)).values()].every((r) => r.status === 'interrupted'), 30_000, 200);
    // A killed worker's run is expected with the one batch that arrived before the kill.
    const expected = [...runs, ...victimRuns.map((run_id) => ({ run_id, total: limits.reporterBatchTests }))];
    const result = await reconcile(store, expected);
    const finished = await runStates(store, runs.map((r) => r.run_id));
    const interrupted = [...(await runStates(store, victimRuns)).values()];
    const deadLetters = await redis.xlen(`${stream}:dead`);

    recordFigures('live-path', {
      store: 'sqlite', producers: producers.length, redis: 'its own redis-server, AOF appendfsync always', mode: 'PYTEST_PLATFORM_LIVE=1',
      faults_injected: victimRuns.length + INGEST_KILLS + 1,
      fault: '2 workers SIGKILLed mid-run, ingest SIGKILLed twice (restarted under the same consumer name), Redis SIGKILLed and restarted from its AOF',
      ...reconciliationFigures(result), runs_finished: runs.length, runs_interrupted: victimRuns.length,
      runs_with_several_live_batches: runs.filter((r) => r.total > limits.reporterBatchTests).length,
      entries_pending_at_ingest_kills: pendingAtIngestKill, runs_spooled_during_redis_crash: spooledDuringCrash,
      runs_spooled: runs.reduce((n, r) => n + r.spooled, 0),
      killed_workers_runs: interrupted.map((r) => ({ status: r.status, total: r.total, results: r.results })),
      // Runs a sweep found silent, the killed workers' and runs whose entries waited out an outage (their final entry then finished them).
      runs_marked_interrupted_by_sweeps: ingests.reduce((n, s) => n + sumLogged(s.output(), 'marked silent runs interrupted'), 0),
      ingest_redis_errors_logged: ingests.reduce((n, s) => n + countLogged(s.output(), 'redis connection error'), 0),
      dead_letters: deadLetters,
    });

    expectExact(result, expected.length);
    expect([...finished.values()].filter((r) => r.status !== 'failed')).toEqual([]);
    expect(interrupted).toEqual(victimRuns.map(() => ({ status: 'interrupted', total: limits.reporterBatchTests, results: limits.reporterBatchTests })));
    expect(runs.some((r) => r.total > limits.reporterBatchTests)).toBe(true);
    expect(pendingAtIngestKill.every((n) => n > 0)).toBe(true);
    expect(spooledDuringCrash).toBeGreaterThanOrEqual(3);
    expect(deadLetters).toBe(0);
  });
});
