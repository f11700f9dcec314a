import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@pytest-platform/db';
import { createTempPostgres } from '../test-support/postgres.js';
import { makeRun, randomStream } from '../test-support/runs.js';
import { REDIS_URL, startService, type RunningService } from '../test-support/services.js';

// Three ingest replicas in one consumer group on Postgres, under a sustained load, one of them
// killed with SIGKILL half-way: every run stored exactly once.
const RUNS = 240;
const TESTS = 50;
const stream = randomStream('e2e-replicas');
const redis = new Redis(REDIS_URL);
let pg: Awaited<ReturnType<typeof createTempPostgres>>;
let store: Store;
const replicas: RunningService[] = [];

beforeAll(async () => {
  pg = await createTempPostgres();
  store = await openDatabase(pg.url);
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
  await store.close();
  await pg.drop();
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
});

const count = async (table: 'runs' | 'results') =>
  Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('ingest replicas on Postgres', () => {
  it('store every run of a sustained load once, including after one replica is killed', { timeout: 90_000 }, async () => {
    const env = {
      REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: pg.url, INGEST_BATCH_SIZE: '5', INGEST_BLOCK_MS: '100',
      INGEST_CLAIM_IDLE_MS: '1000', LOG_LEVEL: 'info',
    };
    for (let i = 0; i < 3; i++) replicas.push(await startService('ingest', { ...env, INGEST_CONSUMER: `replica-${i}` }));

    const tests = Array.from({ length: TESTS }, (_, i) => ({
      nodeid: `tests/test_load.py::test_${i}`, outcome: i % 10 === 0 ? ('failed' as const) : ('passed' as const), duration: 0.01,
      message: i % 10 === 0 ? `AssertionError: ${i}` : null,
    }));
    const produced: string[] = [];
    let killed = false;
    let pendingAtKill = 0;
    for (let i = 0; i < RUNS; i++) {
      const run = makeRun({ run_id: randomUUID(), project: 'replicas', tests });
      produced.push(run.run_id);
      await redis.xadd(stream, '*', 'type', 'run', 'data', JSON.stringify(run));
      if (i === RUNS / 2) {
        // Kill replica-0 while it holds entries it read but has not acknowledged.
        const until = Date.now() + 5_000;
        while (Date.now() < until && ((await redis.xpending(stream, 'ingest', '-', '+', 10, 'replica-0')) as unknown[]).length === 0);
        await replicas[0]!.stop('SIGKILL');
        pendingAtKill = ((await redis.xpending(stream, 'ingest', '-', '+', 100, 'replica-0')) as unknown[]).length;
        killed = true;
      }
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(killed).toBe(true);

    const deadline = Date.now() + 60_000;
    while ((await count('runs')) < RUNS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const stored = await store.db.selectFrom('runs').select(['run_id', 'total']).execute();
    expect(stored).toHaveLength(RUNS);
    expect(new Set(stored.map((r) => r.run_id))).toEqual(new Set(produced));
    expect(stored.every((r) => r.total === TESTS)).toBe(true);
    expect(await count('results')).toBe(RUNS * TESTS);
    expect(await redis.xlen(`${stream}:dead`)).toBe(0);
    const pendingDeadline = Date.now() + 15_000;
    let pending = 1;
    while (pending > 0 && Date.now() < pendingDeadline) {
      pending = (await redis.xpending(stream, 'ingest'))[0] as number;
      if (pending > 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(pending).toBe(0);
    expect(pendingAtKill).toBeGreaterThan(0);
    expect(replicas.slice(1).some((r) => r.output().includes('claimed entries left pending by another consumer'))).toBe(true);
  });
});
