import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, afterEach, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { createTempPostgres } from '../../../test-support/postgres.js';
import { freePort, repoRoot, startService, type RunningService } from '../../../test-support/services.js';
import { findRun, openDatabase } from '@pytest-platform/db';
import {
  countRows, deleteStreams, openSqlite, pendingCount, redisClient, tempDir, testEnv, waitFor, xaddMany,
} from './helpers.js';

const TESTS_PER_RUN = 400;

let tmp: ReturnType<typeof tempDir>;
let env: Record<string, string>;
let reader: Awaited<ReturnType<typeof openSqlite>>;
const services: RunningService[] = [];
const redis = redisClient();

beforeEach(async () => {
  tmp = tempDir();
  env = testEnv(tmp.dbPath, { INGEST_BATCH_SIZE: '10', LOG_LEVEL: 'info' });
  reader = await openSqlite(tmp.dbPath);
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop('SIGKILL')));
  if (reader.sqlite.inTransaction) reader.sqlite.exec('ROLLBACK');
  await reader.close();
  await deleteStreams(redis, env.RESULTS_STREAM!);
  tmp.cleanup();
});
afterAll(() => redis.quit());

const start = async (overrides: Record<string, string> = {}) => {
  const service = await startService('ingest', { ...env, ...overrides });
  services.push(service);
  onTestFailed(() => console.error(`ingest ${overrides.INGEST_CONSUMER ?? env.INGEST_CONSUMER} output:\n${service.output()}`));
  return service;
};

const heavyRun = () =>
  makeRun({
    tests: Array.from({ length: TESTS_PER_RUN }, (_, i) => ({
      nodeid: `tests/test_load.py::test_${i}`,
      outcome: i % 10 === 0 ? 'failed' : 'passed',
      duration: 0.001,
      message: i % 10 === 0 ? `AssertionError: ${i}` : null,
    })),
  });

async function load(count: number): Promise<string[]> {
  const runs = Array.from({ length: count }, heavyRun);
  await xaddMany(redis, env.RESULTS_STREAM!, runs.map((r) => ['type', 'run', 'data', JSON.stringify(r)]));
  return runs.map((r) => r.run_id);
}

const storedRuns = () => countRows(reader, 'runs');

function storedCounts() {
  const perRun = reader.sqlite
    .prepare('select r.run_id, r.total, r.failed, (select count(*) from results x where x.run_id = r.id) as rows from runs r')
    .all() as { run_id: string; total: number; failed: number; rows: number }[];
  return { runs: countRows(reader, 'runs'), results: countRows(reader, 'results'), perRun };
}

/**
 * Once some runs are stored, takes the database write lock and only then adds `count` more runs, so
 * the service's next batch waits in its transaction, read but unacknowledged, however fast it stored
 * the first ones (it may have stored all of them before the lock: the added runs are what it holds).
 * Returns the added run ids once that batch is held (pending and not acknowledged for a while: a
 * batch committed just before the lock is acknowledged within milliseconds). The caller releases the lock.
 */
async function loadWhileABatchIsInHand(consumer: string, before: number, count: number): Promise<string[]> {
  await waitFor('some runs stored', () => storedRuns() > before, 20_000);
  reader.sqlite.exec('BEGIN IMMEDIATE');
  const added = await load(count);
  await waitFor('a batch held by the locked write', async () => (await pendingCount(redis, env.RESULTS_STREAM!, consumer, 500)) > 0);
  return added;
}

/** Loads `count` more runs while a batch is held (see above), SIGKILLs the service, releases the lock. */
async function killMidway(service: RunningService, consumer: string, before: number, count: number) {
  const added = await loadWhileABatchIsInHand(consumer, before, count);
  try {
    await service.stop('SIGKILL');
  } finally {
    reader.sqlite.exec('ROLLBACK');
  }
  return { added, pending: await pendingCount(redis, env.RESULTS_STREAM!, consumer) };
}

function expectExact(counts: ReturnType<typeof storedCounts>, runIds: readonly string[]) {
  expect(counts.runs).toBe(runIds.length);
  expect(counts.results).toBe(runIds.length * TESTS_PER_RUN);
  expect(new Set(counts.perRun.map((r) => r.run_id))).toEqual(new Set(runIds));
  for (const run of counts.perRun) expect(run).toMatchObject({ total: TESTS_PER_RUN, failed: TESTS_PER_RUN / 10, rows: TESTS_PER_RUN });
}

describe('the ingest process', () => {
  it('loses nothing and stores nothing twice when SIGKILLed, restarted, and taken over by another consumer', { timeout: 60_000 }, async () => {
    const stream = env.RESULTS_STREAM!;
    const firstPart = await load(20);
    const c1 = await start({ INGEST_CONSUMER: 'replica-1' });
    const firstKill = await killMidway(c1, 'replica-1', 0, 130);
    expect(storedRuns()).toBeLessThan(150);
    expect(firstKill.pending).toBeGreaterThan(0);
    const first = [...firstPart, ...firstKill.added];

    // The same consumer comes back and finishes its own pending entries first.
    const c1again = await start({ INGEST_CONSUMER: 'replica-1' });
    await waitFor('first load stored', () => storedRuns() === 150, 20_000);
    await waitFor('nothing pending', async () => (await pendingCount(redis, stream)) === 0);
    await c1again.stop('SIGKILL');

    const secondPart = await load(20);
    const c1third = await start({ INGEST_CONSUMER: 'replica-1' });
    const secondKill = await killMidway(c1third, 'replica-1', 150, 130);
    expect(storedRuns()).toBeLessThan(300);
    expect(secondKill.pending).toBeGreaterThan(0);
    const second = [...secondPart, ...secondKill.added];

    // A different consumer reclaims what replica-1 left pending once it has been idle long enough.
    const c2 = await start({ INGEST_CONSUMER: 'replica-2', INGEST_CLAIM_IDLE_MS: '500' });
    await waitFor('second load stored', () => storedRuns() === 300, 30_000);
    await waitFor('nothing pending', async () => (await pendingCount(redis, stream)) === 0);
    await waitFor('the claim logged', () => c2.output().includes('claimed entries left pending by another consumer'));

    expectExact(storedCounts(), [...first, ...second]);
    expect(await redis.xlen(`${stream}:dead`)).toBe(0);
  });

  it('finishes the batch in hand on SIGTERM, acknowledges it and exits 0', { timeout: 30_000 }, async () => {
    const stream = env.RESULTS_STREAM!;
    await load(20);
    const service = await start({ INGEST_CONSUMER: 'replica-term' });
    await loadWhileABatchIsInHand('replica-term', 0, 130);
    const exited = service.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    reader.sqlite.exec('ROLLBACK');
    expect(await exited).toBe(0);
    expect(service.output()).toContain('"msg":"closed"');

    expect(await pendingCount(redis, stream)).toBe(0);
    const [group] = (await redis.xinfo('GROUPS', stream)) as unknown[][];
    const lastDelivered = String(group![group!.indexOf('last-delivered-id') + 1]);
    const delivered = await redis.xrange(stream, '-', lastDelivered);
    const counts = storedCounts();
    expect(counts.runs).toBe(delivered.length);
    expect(counts.runs).toBeLessThan(150);
    expect(counts.results).toBe(counts.runs * TESTS_PER_RUN);
  });

  it('stops at start with exit code 2 and one line naming a bad variable', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const proc = spawn(
        process.execPath,
        ['--import', 'tsx', '--conditions=@pytest-platform/source', 'services/ingest/src/main.ts'],
        { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env, INGEST_MAX_DELIVERIES: 'abc' } },
      );
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      proc.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('INGEST_MAX_DELIVERIES');
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(result.stdout).toBe('');
    expect(await redis.exists(env.RESULTS_STREAM!)).toBe(0);
  });

  it('stores runs on Postgres when DATABASE_URL says so', async () => {
    const pg = await createTempPostgres();
    try {
      await start({ DATABASE_URL: pg.url });
      const run = makeRun({ project: 'on-postgres' });
      await redis.xadd(env.RESULTS_STREAM!, '*', 'type', 'run', 'data', JSON.stringify(run));
      const store = await openDatabase(pg.url, { migrate: false });
      try {
        const stored = await waitFor('the run in Postgres', () => findRun(store.db, run.run_id));
        expect(stored).toMatchObject({ project: 'on-postgres', status: 'failed', summary: { total: 2, passed: 1, failed: 1 } });
      } finally {
        await store.close();
      }
    } finally {
      await Promise.all(services.splice(0).map((s) => s.stop('SIGKILL')));
      await pg.drop();
    }
  });

  it('lowers its main thread to INGEST_NICE (10 unless set: env.test.ts), and never raises what it was started with', async () => {
    // /proc/<pid>/stat: the 19th field is the niceness of the main thread (whose id is the pid).
    const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const launcher = getPriority();
    const ten = await start({ INGEST_CONSUMER: 'nice-10', INGEST_NICE: '10' });
    expect(niceOf(ten.proc.pid!)).toBe(Math.max(10, launcher));
    expect(ten.output()).toContain('"msg":"cpu priority (INGEST_NICE)"');
    const kept = await start({ INGEST_CONSUMER: 'nice-zero', INGEST_NICE: '0' });
    expect(niceOf(kept.proc.pid!)).toBe(launcher);
    const lowest = await start({ INGEST_CONSUMER: 'nice-19', INGEST_NICE: '19' });
    expect(niceOf(lowest.proc.pid!)).toBe(19);
  });

  it('answers GET /health on INGEST_HEALTH_PORT while it consumes', async () => {
    const port = await freePort();
    await start({ INGEST_HEALTH_PORT: String(port), INGEST_HEALTH_HOST: '127.0.0.1' });
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', consumer: env.INGEST_CONSUMER });
  });
});
