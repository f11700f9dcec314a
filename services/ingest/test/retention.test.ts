import { expect, it } from 'vitest';
import { createRunWriter } from '@pytest-platform/db';
import { RunResultSchema } from '@pytest-platform/schema';
import { createIngest, loadConfig } from '../src/index.js';
import { makeRun } from '../../../test-support/runs.js';
import { countRows, ingestPerTest, openSqlite, redisClient, testEnv, waitFor, xaddRun } from './helpers.js';

const DAY = 86_400_000;
const redis = redisClient();
const t = ingestPerTest(redis, { RETENTION_DAYS: '30' });

const tests = Array.from({ length: 20 }, (_, i) => ({ nodeid: `tests/test_r.py::test_${i}`, outcome: 'passed' as const, duration: 0.01 }));

it('RETENTION_DAYS deletes older runs with their results in batches of 500 while new runs keep being stored', async () => {
  const store = await openSqlite(t.tmp.dbPath);
  const writer = createRunWriter(store);
  const old = Date.now() - 40 * DAY;
  const entries = Array.from({ length: 1_234 }, (_, i) => ({
    type: 'run' as const,
    data: RunResultSchema.parse(makeRun({ project: 'old', started_at: new Date(old + i * 1000).toISOString(), finished_at: null, tests })),
  }));
  for (let i = 0; i < entries.length; i += 200) await writer.write(entries.slice(i, i + 200), old);
  const recent = RunResultSchema.parse(makeRun({ project: 'recent', started_at: new Date(Date.now() - 29 * DAY).toISOString(), tests }));
  await writer.write([{ type: 'run', data: recent }], Date.now());
  expect(countRows(store, 'runs')).toBe(1_235);
  await store.close();

  t.ingest = createIngest(t.config);
  await t.ingest.start();
  const fresh = Array.from({ length: 30 }, () => makeRun({ project: 'fresh', started_at: new Date().toISOString(), finished_at: null }));
  for (const run of fresh) await xaddRun(redis, t.config.stream, run);

  await waitFor('old runs deleted and fresh ones stored', () => t.ingest!.stats().pruned === 1_234 && t.ingest!.stats().stored === 30);
  const db = await openSqlite(t.tmp.dbPath);
  try {
    const projects = db.sqlite.prepare('select project, count(*) as n from runs group by project order by project').all();
    expect(projects).toEqual([{ project: 'fresh', n: 30 }, { project: 'recent', n: 1 }]);
    expect(countRows(db, 'results')).toBe(20 + 30 * 2);
  } finally {
    await db.close();
  }
  expect(t.ingest.stats().errors).toBe(0);
});

it('RETENTION_DAYS is unset by default (keep forever) and refuses a non-positive value, naming the variable', () => {
  expect(loadConfig(testEnv(t.tmp.dbPath)).retentionDays).toBeNull();
  expect(() => loadConfig(testEnv(t.tmp.dbPath, { RETENTION_DAYS: '0' }))).toThrow(/RETENTION_DAYS/);
  expect(() => loadConfig(testEnv(t.tmp.dbPath, { RETENTION_DAYS: 'forever' }))).toThrow(/RETENTION_DAYS/);
});
