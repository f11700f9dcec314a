import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@pytest-platform/db';
import { INGEST_GROUP } from '@pytest-platform/schema';
import { randomStream } from '../test-support/runs.js';
import { REDIS_URL, startService, type RunningService } from '../test-support/services.js';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import {
  countLogged, countRuns, expectExact, reconcile, reconciliationFigures, recordFigures, startProducer, tempDir, waitFor,
  type Producer,
} from './support.js';

// Postgres restarted under load: ingest writes to a PostgreSQL cluster of this scenario's own
// (initdb + pg_ctl on a free port; the shared server on 5432 is never touched), which is stopped and
// started three times while three producers keep sending: `pg_ctl stop -m fast` (clients
// disconnected, clean shutdown), `-m immediate` (no checkpoint: crash recovery at the next start),
// and `fast` again. While the database refuses, ingest keeps the batch pending and retries; after
// each start everything is stored, nothing lost and nothing twice.
const OUTAGES = ['fast', 'immediate', 'fast'] as const;
const REFUSED = 'database refused the batch; entries stay pending, retrying';
const stream = randomStream('faults-pg');
const redis = new Redis(REDIS_URL);
const dir = tempDir();
const pgDir = tempDir('pp-faults-pg-');
let pg: PrivatePostgres | undefined;
let store: Store;
let ingest: RunningService | undefined;
const producers: Producer[] = [];

beforeAll(async () => {
  pg = await startPrivatePostgres(pgDir.path);
  store = await openDatabase(pg.url);
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.stop()));
  await ingest?.stop('SIGKILL');
  await store?.close();
  await pg?.stop('immediate').catch(() => {});
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
  dir.cleanup();
  pgDir.cleanup();
});

const pending = async () => Number(((await redis.xpending(stream, INGEST_GROUP)) as [number])[0]);
/** Rows in `runs`, or -1 while the database cannot answer. */
const stored = () => countRuns(store).catch(() => -1);
const produced = () => producers.reduce((n, p) => n + p.runs.length, 0);

describe('Postgres restarted under load', () => {
  it('keeps entries pending while the database refuses, retries, and stores every run once', { timeout: 150_000 }, async () => {
    ingest = await startService('ingest', {
      REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: pg!.url, INGEST_BATCH_SIZE: '20', INGEST_BLOCK_MS: '100', LOG_LEVEL: 'info',
    });
    for (let i = 0; i < 3; i++) {
      producers.push(startProducer({ REDIS_URL, RESULTS_STREAM: stream, FAULTS_PROJECT: 'faults-pg', FAULTS_WORKER: `pg-${i}`, FAULTS_PAUSE_MS: '10' }, join(dir.path, `spool-${i}`)));
    }
    const outages: { mode: string; refused_batches: number; entries_pending: number; runs_sent_while_down: number }[] = [];
    for (const mode of OUTAGES) {
      const before = await stored();
      await waitFor('the load to keep flowing into Postgres', async () => (await stored()) >= before + 10, 60_000, 100);
      const refusedBefore = countLogged(ingest.output(), REFUSED);
      await pg!.stop(mode);
      const producedAtStop = produced();
      await waitFor('ingest to report a refused batch', () => countLogged(ingest!.output(), REFUSED) > refusedBefore, 60_000, 100);
      await waitFor('entries to wait, unacknowledged', async () => (await pending()) > 0, 30_000);
      await waitFor('more runs to arrive while Postgres is down', () => produced() >= producedAtStop + 10);
      const entriesPending = await pending();
      await pg!.start();
      outages.push({
        mode, refused_batches: countLogged(ingest.output(), REFUSED) - refusedBefore, entries_pending: entriesPending,
        runs_sent_while_down: produced() - producedAtStop,
      });
    }
    const atLast = producers.map((p) => p.runs.length);
    await waitFor('load after the last start', () => producers.every((p, i) => p.runs.length >= atLast[i]! + 10));
    await Promise.all(producers.map((p) => p.stop()));

    const runs = producers.flatMap((p) => p.runs);
    await waitFor('every run stored', async () => (await stored()) >= runs.length, 60_000, 200);
    await waitFor('nothing pending', async () => (await pending()) === 0, 30_000, 200);
    const result = await reconcile(store, runs);
    const deadLetters = await redis.xlen(`${stream}:dead`);

    recordFigures('postgres-restart', {
      store: 'postgres (a private cluster)', producers: producers.length, faults_injected: OUTAGES.length,
      fault: 'PostgreSQL stopped (pg_ctl stop -m fast, -m immediate, -m fast) and started again under load',
      ...reconciliationFigures(result), outages,
      runs_spooled_by_producers: runs.reduce((n, r) => n + r.spooled, 0), dead_letters: deadLetters,
      ingest_loop_errors_logged: countLogged(ingest.output(), 'ingest loop error; entries in hand stay pending, retrying'),
    });

    for (const outage of outages) {
      expect(outage.refused_batches).toBeGreaterThan(0);
      expect(outage.entries_pending).toBeGreaterThan(0);
    }
    expectExact(result, runs.length);
    expect(runs.every((r) => r.sent === 1)).toBe(true);
    expect(deadLetters).toBe(0);
    expect(ingest.proc.exitCode).toBeNull();
  });
});
