import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { streamNames } from '@pytest-platform/schema';
import { findRun, listRunFailures, openDatabase, type Store } from '@pytest-platform/db';
import { createIngest, type Ingest, type IngestConfig } from '../src/index.js';
import { createTempPostgres } from '../../../test-support/postgres.js';
import { makeRun } from '../../../test-support/runs.js';
import { deleteStreams, pendingCount, readStream, redisClient, tempDir, testConfig, waitFor, xaddMany, xaddRun } from './helpers.js';

// The ingest scenarios of store, dead-letters, database-unavailable and trim tests, with the store
// on Postgres: faults are injected with Postgres means (triggers raising chosen SQLSTATEs).
let pg: Awaited<ReturnType<typeof createTempPostgres>>;
let store: Store;
let config: IngestConfig;
let ingest: Ingest | undefined;
const tmp = tempDir();
const redis = redisClient();

beforeEach(async () => {
  pg = await createTempPostgres();
  store = await openDatabase(pg.url);
  config = testConfig(tmp.dbPath, {
    DATABASE_URL: pg.url, INGEST_MAX_DELIVERIES: '3', INGEST_SWEEP_SECONDS: '1', RUN_STALE_SECONDS: '1', INGEST_TRIM_INTERVAL_MS: '100',
  });
});

afterEach(async () => {
  await ingest?.close();
  ingest = undefined;
  await store.close();
  await pg.drop();
  await deleteStreams(redis, config.stream);
});
afterAll(async () => {
  tmp.cleanup();
  await redis.quit();
});

const start = async () => {
  ingest = createIngest(config);
  await ingest.start();
  return ingest;
};
const count = async (table: 'runs' | 'results') =>
  Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const runEntry = (run: object) => ['type', 'run', 'data', JSON.stringify(run)];

describe('ingest on Postgres', () => {
  it('stores a run entry with its failures once however often it arrives, and announces it', async () => {
    const running = await start();
    const run = makeRun({ project: 'shop', branch: null });
    await xaddRun(redis, config.stream, run);
    await xaddRun(redis, config.stream, run);
    await waitFor('both entries stored', () => running.stats().stored === 2);
    expect(await count('runs')).toBe(1);
    expect(await count('results')).toBe(2);
    const stored = await findRun(store.db, run.run_id);
    expect(stored).toMatchObject({ status: 'failed', summary: { total: 2, passed: 1, failed: 1 }, pass_rate: 0.5 });
    expect(await listRunFailures(store.db, stored!.pk)).toEqual([
      expect.objectContaining({ nodeid: 'tests/test_a.py::test_bad', message: 'AssertionError: assert 404 == 200' }),
    ]);
    expect(await pendingCount(redis, config.stream)).toBe(0);
    const events = await readStream(redis, streamNames(config.stream).events);
    expect(events.map((e) => e.fields)).toContainEqual({ type: 'run.stored', run_id: run.run_id, project: 'shop', branch: '', finished: '1' });
  });

  it('assembles a live run from entries in any order, with repeats, and interrupts one that went silent', async () => {
    const running = await start();
    const header = { run_id: 'live-pg', project: 'shop', branch: 'main', worker_id: 'w1', framework: 'pytest', started_at: '2026-11-26T10:00:00.000Z' };
    const started = ['type', 'run.started', 'data', JSON.stringify(header)];
    const batch0 = ['type', 'run.tests', 'data', JSON.stringify({ ...header, seq: 0, tests: [{ nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'failed' }] })];
    const batch1 = ['type', 'run.tests', 'data', JSON.stringify({ ...header, seq: 1, tests: [{ nodeid: 'c', outcome: 'skipped' }, { nodeid: 'd', outcome: 'passed', attempts: 3 }] })];
    const finished = ['type', 'run.finished', 'data', JSON.stringify({ ...header, finished_at: '2026-11-26T10:01:00.000Z', duration: 60, status: 'failed' })];
    await xaddMany(redis, config.stream, [batch1, finished, batch0, started, batch1, finished, batch0]);
    await waitFor('all entries stored', () => running.stats().stored === 7);
    expect(await findRun(store.db, 'live-pg')).toMatchObject({
      status: 'failed', duration: 60, summary: { total: 4, passed: 2, failed: 1, skipped: 1, flaky: 1 },
    });

    await xaddMany(redis, config.stream, [['type', 'run.started', 'data', JSON.stringify({ ...header, run_id: 'silent-pg' })]]);
    await waitFor('silent run interrupted', async () => (await findRun(store.db, 'silent-pg'))?.status === 'interrupted', 10_000);
  });

  it('dead-letters invalid entries with their reason and an entry the database rejects after the maximum deliveries', async () => {
    await sql`CREATE FUNCTION reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.run_id = 'poison-run' THEN RAISE EXCEPTION 'poisoned run refused by the test trigger'; END IF; RETURN NEW; END $$`.execute(store.db);
    await sql`CREATE TRIGGER reject_poison BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION reject_poison()`.execute(store.db);
    const running = await start();
    const [good1, good2] = [makeRun(), makeRun()];
    const ids = await xaddMany(redis, config.stream, [
      runEntry(good1), ['type', 'run', 'data', '{not json'], ['type', 'bogus', 'data', '{}'], runEntry(makeRun({ run_id: 'poison-run' })), runEntry(good2),
    ]);
    await waitFor('good runs stored', () => running.stats().stored === 2);
    await waitFor('three dead letters', () => running.stats().deadLettered === 3);
    const dead = new Map((await readStream(redis, streamNames(config.stream).dead)).map((d) => [d.fields.source_id, d.fields.reason]));
    expect(dead.get(ids[1]!)).toMatch(/^data is not JSON/);
    expect(dead.get(ids[2]!)).toMatch(/^unknown type "bogus"/);
    expect(dead.get(ids[3]!)).toMatch(/write failed 3 times: .*poisoned run refused/);
    expect(await count('runs')).toBe(2);
    expect(await pendingCount(redis, config.stream)).toBe(0);
  });

  it('keeps entries pending while the database refuses every write (disk full), then stores them once', async () => {
    await sql`CREATE TABLE refuse (on_off boolean)`.execute(store.db);
    await sql`INSERT INTO refuse VALUES (true)`.execute(store.db);
    await sql`CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF EXISTS (SELECT 1 FROM refuse) THEN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END IF; RETURN NEW; END $$`.execute(store.db);
    await sql`CREATE TRIGGER disk_full BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION disk_full()`.execute(store.db);
    const running = await start();
    const runs = Array.from({ length: 5 }, () => makeRun());
    await xaddMany(redis, config.stream, runs.map(runEntry));
    await waitFor('the store refused a batch', () => running.stats().storeRetries >= 2);
    expect(await count('runs')).toBe(0);
    expect(await pendingCount(redis, config.stream)).toBe(5);
    expect(running.stats().deadLettered).toBe(0);

    await sql`DELETE FROM refuse`.execute(store.db);
    await waitFor('all stored once the disk has room', async () => (await count('runs')) === 5, 20_000);
    await waitFor('all acknowledged', async () => (await pendingCount(redis, config.stream)) === 0);
    expect(await count('results')).toBe(10);
    expect(running.stats().deadLettered).toBe(0);
  });

  it('trims acknowledged entries from the stream', async () => {
    const running = await start();
    await xaddMany(redis, config.stream, [runEntry(makeRun()), runEntry(makeRun())]);
    await waitFor('stored', () => running.stats().stored === 2);
    await waitFor('trimmed', async () => (await redis.xlen(config.stream)) === 0);
  });
});
