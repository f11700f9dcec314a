import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamNames } from '@pytest-platform/schema';
import { findRun, listRunFailures } from '@pytest-platform/db';
import { createIngest, type Ingest, type IngestConfig } from '../src/index.js';
import { makeRun } from '../../../test-support/runs.js';
import {
  countRows, deleteStreams, openSqlite, pendingCount, readStream, redisClient, tempDir, testConfig, waitFor, xaddMany, xaddRun,
} from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let config: IngestConfig;
let ingest: Ingest;
const redis = redisClient();

beforeEach(async () => {
  tmp = tempDir();
  config = testConfig(tmp.dbPath, { INGEST_SWEEP_SECONDS: '1', RUN_STALE_SECONDS: '1' });
  ingest = createIngest(config);
  await ingest.start();
});

afterEach(async () => {
  await ingest.close();
  await deleteStreams(redis, config.stream);
  tmp.cleanup();
});
afterAll(() => redis.quit());

describe('storing runs', () => {
  it('stores a run entry with its failures, once however often it arrives, and announces it', async () => {
    const run = makeRun({ project: 'shop', branch: null });
    await xaddRun(redis, config.stream, run);
    await xaddRun(redis, config.stream, run);
    await waitFor('both entries stored', () => ingest.stats().stored === 2);

    const db = await openSqlite(tmp.dbPath);
    try {
      expect(countRows(db, 'runs')).toBe(1);
      expect(countRows(db, 'results')).toBe(2);
      const stored = await findRun(db.db, run.run_id);
      expect(stored).toMatchObject({ project: 'shop', status: 'failed', summary: { total: 2, passed: 1, failed: 1 }, pass_rate: 0.5 });
      expect(await listRunFailures(db.db, stored!.pk)).toEqual([
        expect.objectContaining({ nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', message: 'AssertionError: assert 404 == 200' }),
      ]);
    } finally {
      await db.close();
    }
    expect(await pendingCount(redis, config.stream)).toBe(0);
    const events = await readStream(redis, streamNames(config.stream).events);
    expect(events.map((e) => e.fields)).toContainEqual({ type: 'run.stored', run_id: run.run_id, project: 'shop', branch: '', finished: '1' });
  });

  it('assembles a live run from entries in any order, with repeats', async () => {
    const run = makeRun({ run_id: 'live-run-1' });
    const header = {
      run_id: run.run_id, project: run.project, branch: run.branch, commit: run.commit, worker_id: run.worker_id,
      framework: run.framework, started_at: run.started_at,
    };
    const started = ['type', 'run.started', 'data', JSON.stringify(header)];
    const batch0 = ['type', 'run.tests', 'data', JSON.stringify({ ...header, seq: 0, tests: [
      { nodeid: 't::a', outcome: 'passed' }, { nodeid: 't::b', outcome: 'failed', message: 'boom' },
    ] })];
    const batch1 = ['type', 'run.tests', 'data', JSON.stringify({ ...header, seq: 1, tests: [
      { nodeid: 't::c', outcome: 'skipped' }, { nodeid: 't::d', outcome: 'passed', attempts: 3 },
    ] })];
    const finished = ['type', 'run.finished', 'data', JSON.stringify({
      ...header, finished_at: '2026-11-26T10:01:00.000Z', duration: 60, status: 'failed',
    })];
    await xaddMany(redis, config.stream, [batch1, finished, batch0, started, batch1, finished, batch0]);
    await waitFor('all entries stored', () => ingest.stats().stored === 7);

    const db = await openSqlite(tmp.dbPath);
    try {
      expect(countRows(db, 'runs')).toBe(1);
      expect(countRows(db, 'results')).toBe(4);
      expect(await findRun(db.db, run.run_id)).toMatchObject({
        status: 'failed', duration: 60, finished_at: '2026-11-26T10:01:00.000Z',
        summary: { total: 4, passed: 2, failed: 1, skipped: 1, flaky: 1 },
      });
    } finally {
      await db.close();
    }
  });

  it('marks a run that went silent while running as interrupted', async () => {
    const run = makeRun();
    await xaddMany(redis, config.stream, [['type', 'run.started', 'data', JSON.stringify({ ...run, tests: undefined })]]);
    await waitFor('run.started stored', () => ingest.stats().stored === 1);
    await waitFor('run interrupted', () => ingest.stats().interrupted === 1, 10_000);
    const db = await openSqlite(tmp.dbPath);
    try {
      expect(await findRun(db.db, run.run_id)).toMatchObject({ status: 'interrupted' });
    } finally {
      await db.close();
    }
  });
});
