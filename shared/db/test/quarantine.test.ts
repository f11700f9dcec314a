import { describe, expect, it } from 'vitest';
import type { QuarantineChange } from '@pytest-platform/schema';
import {
  announceQuarantineChanges, applyAutoQuarantine, countQuarantinePasses, findRun, foldFinishedRuns, foldRunDurations, listQuarantine,
  listQuarantineHistory, listRunTests, publishedDurations, publishedQuarantine, quarantinedProjects, quarantineTest, releaseExpired,
  openDatabase, releaseTest, type Db, type FoldRun,
} from '@pytest-platform/db';
import { dialects, run, storeWithWriter } from './helpers.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const MINUTE = 60_000;
const at = (ms: number) => new Date(ms).toISOString();
const policy = { window: 30, minFlips: 3, releasePasses: 4 };

describe.each(dialects)('quarantine and durations on %s', (dialect) => {
  const ctx = storeWithWriter(dialect);

  /** Stores run `n` of project `svc` on main, started n minutes after T0, with the given outcomes. */
  const store = async (n: number, tests: Record<string, 'passed' | 'failed' | 'skipped'>, extra: { status?: 'passed' | 'failed'; durations?: Record<string, number> } = {}) => {
    await ctx.writer.write([{ type: 'run', data: run({
      run_id: `r${n}`, commit: `c${n}`, started_at: at(T0 + n * MINUTE), finished_at: at(T0 + n * MINUTE + 1000), status: extra.status ?? 'passed',
      tests: Object.entries(tests).map(([nodeid, outcome]) => ({ nodeid, outcome, duration: extra.durations?.[nodeid] ?? 0.1 })),
    }) }]);
  };

  it('stores quarantined: true from the reporter and returns it with the run\'s tests; a redelivery without it clears it', async () => {
    const data = run({ run_id: 'q1', status: 'failed', tests: [
      { nodeid: 't::flaky', outcome: 'failed', message: 'boom', quarantined: true },
      { nodeid: 't::plain', outcome: 'passed' },
    ] });
    await ctx.writer.write([{ type: 'run', data }]);
    const pk = (await findRun(ctx.store.db, 'q1'))!.pk;
    const items = await listRunTests(ctx.store.db, pk, { limit: 10 });
    expect(items.map((i) => [i.nodeid, i.quarantined])).toEqual([['t::flaky', true], ['t::plain', false]]);
    await ctx.writer.write([{ type: 'run', data: { ...data, tests: data.tests.map((t) => ({ ...t, quarantined: undefined })) } }]);
    expect((await listRunTests(ctx.store.db, pk, { limit: 10 })).map((i) => i.quarantined)).toEqual([false, false]);
  });

  it('keeps the current entries with who, when and why, and every change in the history, newest first', async () => {
    const db = ctx.store.db;
    const first = await quarantineTest(db, { project: 'svc', nodeid: 't::a', reason: 'flaky on CI', by: 'api', expires_at: null, now: T0 }, { replace: true });
    expect(first).toEqual({
      change: { project: 'svc', nodeid: 't::a', action: 'quarantined', by: 'api', reason: 'flaky on CI', at: at(T0), expires_at: null },
      entry: { nodeid: 't::a', reason: 'flaky on CI', since: at(T0), expires_at: null, by: 'api' },
    });
    // The automatic policy never overwrites an entry; the API does.
    expect(await quarantineTest(db, { project: 'svc', nodeid: 't::a', reason: 'auto', by: 'auto', expires_at: null, now: T0 + 1 }, { replace: false })).toBeUndefined();
    await quarantineTest(db, { project: 'svc', nodeid: 't::a', reason: 'until the fix', by: 'api', expires_at: T0 + 10 * MINUTE, now: T0 + 2 }, { replace: true });
    await quarantineTest(db, { project: 'other', nodeid: 't::a', reason: 'elsewhere', by: 'api', expires_at: null, now: T0 + 3 }, { replace: true });
    expect(await listQuarantine(db, 'svc', T0 + 3)).toEqual([{ nodeid: 't::a', reason: 'until the fix', since: at(T0 + 2), expires_at: at(T0 + 10 * MINUTE), by: 'api' }]);
    // Expired entries leave the list at once, and the history when released.
    expect(await listQuarantine(db, 'svc', T0 + 10 * MINUTE)).toEqual([]);
    expect(await publishedQuarantine(db, 'svc', T0 + 10 * MINUTE)).toEqual({ project: 'svc', updated_at: at(T0 + 10 * MINUTE), tests: [] });
    expect(await releaseExpired(db, T0 + 10 * MINUTE)).toEqual([
      { project: 'svc', nodeid: 't::a', action: 'released', by: 'auto', reason: `expired at ${at(T0 + 10 * MINUTE)}`, at: at(T0 + 10 * MINUTE), expires_at: null },
    ]);
    expect(await releaseTest(db, { project: 'svc', nodeid: 't::a', by: 'api', reason: 'x', now: T0 })).toBeUndefined();
    expect((await listQuarantineHistory(db, { project: 'svc', limit: 10 })).map((c) => `${c.action} by ${c.by}: ${c.reason}`)).toEqual([
      `released by auto: expired at ${at(T0 + 10 * MINUTE)}`, 'quarantined by api: until the fix', 'quarantined by api: flaky on CI',
    ]);
    expect(await quarantinedProjects(db)).toEqual(['other']);
  });

  it('announces each change once, in order; a failed announcement is tried again', async () => {
    const db = ctx.store.db;
    for (const [i, nodeid] of ['t::1', 't::2', 't::3'].entries()) {
      await quarantineTest(db, { project: 'svc', nodeid, reason: 'r', by: 'api', expires_at: null, now: T0 + i }, { replace: true });
    }
    await expect(announceQuarantineChanges(db, 10, async () => { throw new Error('redis down'); })).rejects.toThrow('redis down');
    const seen: QuarantineChange[] = [];
    expect(await announceQuarantineChanges(db, 2, async (c) => void seen.push(...c))).toHaveLength(2);
    await releaseTest(db, { project: 'svc', nodeid: 't::1', by: 'api', reason: 'fixed', now: T0 + 9 });
    expect(await announceQuarantineChanges(db, 10, async (c) => void seen.push(...c))).toHaveLength(2);
    expect(await announceQuarantineChanges(db, 10, async (c) => void seen.push(...c))).toEqual([]);
    expect(seen.map((c) => `${c.nodeid} ${c.action}`)).toEqual(['t::1 quarantined', 't::2 quarantined', 't::3 quarantined', 't::1 released']);
  });

  it('folds each finished run once; a running run waits until it finishes', async () => {
    const db = ctx.store.db;
    await store(1, { a: 'passed' });
    await ctx.writer.write([{ type: 'run.started', data: run({ run_id: 'live', started_at: at(T0 + 2 * MINUTE) }) }]);
    await store(3, { a: 'passed' });
    const folded: string[] = [];
    const fold = () => foldFinishedRuns(db, 'test', { limit: 10, from: 'start' }, async (_trx, runs) => void folded.push(...runs.map((r) => r.run_id)));
    await fold();
    await fold();
    expect(folded).toEqual(['r1', 'r3']);
    await ctx.writer.write([{ type: 'run.finished', data: { ...run({ run_id: 'live', started_at: at(T0 + 2 * MINUTE) }), finished_at: at(T0 + 3 * MINUTE), status: 'passed' } }]);
    await fold();
    await fold();
    expect(folded).toEqual(['r1', 'r3', 'live']);
    // A fold that starts at the end sees only runs stored after it first ran; a step that throws folds nothing.
    const later: string[] = [];
    await foldFinishedRuns(db, 'late', { limit: 10, from: 'end' }, async (_trx, runs) => void later.push(...runs.map((r) => r.run_id)));
    await store(4, { a: 'passed' });
    await expect(foldFinishedRuns(db, 'late', { limit: 10, from: 'end' }, async () => { throw new Error('step failed'); })).rejects.toThrow('step failed');
    await foldFinishedRuns(db, 'late', { limit: 10, from: 'end' }, async (_trx, runs) => void later.push(...runs.map((r) => r.run_id)));
    expect(later).toEqual(['r4']);
  });

  it('records durations as an exponentially weighted mean of passing runs, per test and per file (sum of its tests in a run)', async () => {
    const db = ctx.store.db;
    await store(1, { 'f.py::a': 'passed', 'f.py::b': 'passed', 'g.py::c': 'skipped' }, { durations: { 'f.py::a': 1, 'f.py::b': 0.5 } });
    await store(2, { 'f.py::a': 'passed', 'f.py::b': 'passed' }, { durations: { 'f.py::a': 2, 'f.py::b': 1 } });
    await store(3, { 'f.py::a': 'passed', 'f.py::b': 'failed' }, { durations: { 'f.py::a': 4, 'f.py::b': 9 }, status: 'failed' });
    const runs = await foldFinishedRuns(db, 'durations', { limit: 10, from: 'start' }, (trx, batch) => foldRunDurations(trx, batch, dialect));
    expect(runs.map((r) => r.run_id)).toEqual(['r1', 'r2', 'r3']);
    await foldFinishedRuns(db, 'durations', { limit: 10, from: 'start' }, (trx, batch) => foldRunDurations(trx, batch, dialect));
    // By hand, weight 0.3: a = 1 → 1 + 0.3·(2 − 1) = 1.3 → 1.3 + 0.3·(4 − 1.3) = 2.11; b = 0.5 → 0.65 (its failure is left out);
    // f.py = 1.5 → 1.5 + 0.3·(3 − 1.5) = 1.95 → 1.95 + 0.3·(4 − 1.95) = 2.565. Skipped tests count nowhere.
    const published = await publishedDurations(db, 'svc', T0);
    expect(published).toEqual({ project: 'svc', updated_at: at(T0), tests: { 'f.py::a': 2.11, 'f.py::b': 0.65 }, files: { 'f.py': 2.565 } });
    // Capped to the most recently updated tests.
    expect(Object.keys((await publishedDurations(db, 'svc', T0, 1)).tests)).toEqual(['f.py::a']);
  });

  // Postgres only: replicas share one Postgres; a SQLite file has one ingest (its single writer), so there is no race to test.
  it.runIf(dialect === 'postgres')('folds each run once when two replicas fold at the same time', async () => {
    for (let n = 1; n <= 20; n++) await store(n, { 'f.py::a': 'passed' }, { durations: { 'f.py::a': n } });
    if (ctx.store.dialect !== 'postgres') throw new Error('postgres only');
    const other = await openDatabase(ctx.store.pool.options.connectionString!);
    try {
      const replica = async (db: Db) => {
        const folded: string[] = [];
        for (;;) {
          const runs = await foldFinishedRuns(db, 'durations', { limit: 3, from: 'start' }, (trx, batch) => foldRunDurations(trx, batch, dialect));
          folded.push(...runs.map((r) => r.run_id));
          if (runs.length === 0) return folded;
        }
      };
      const [one, two] = await Promise.all([replica(ctx.store.db), replica(other.db)]);
      expect([...one, ...two].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `r${i + 1}`).sort());
      const row = await ctx.store.db.selectFrom('test_durations').select(['samples']).executeTakeFirstOrThrow();
      expect(row.samples).toBe(20);
    } finally {
      await other.close();
    }
  });

  it('quarantines a test that flips in at least QUARANTINE_MIN_FLIPS runs, and releases it after the consecutive passes', async () => {
    const db = ctx.store.db;
    const outcomes = ['passed', 'failed', 'passed', 'failed', 'passed'] as const;
    for (const [i, outcome] of outcomes.entries()) await store(i + 1, { 't::flaky': outcome, 't::broken': 'failed', 't::ok': 'passed' });
    expect(await applyAutoQuarantine(db, 'svc', { ...policy, minFlips: 5 }, T0)).toEqual([]);
    const [change, ...rest] = await applyAutoQuarantine(db, 'svc', policy, T0);
    expect(rest).toEqual([]);
    expect(change).toMatchObject({ project: 'svc', nodeid: 't::flaky', action: 'quarantined', by: 'auto', expires_at: null });
    expect(change!.reason).toBe('flaky in 4 of the last 5 runs: flipped between pass and fail 4 times (runs r2, r3, r4, r5)');
    expect(await applyAutoQuarantine(db, 'svc', policy, T0)).toEqual([]);

    // Passes count from here: a failure starts them again; the fourth consecutive pass releases it.
    const fold = async (n: number, outcome: 'passed' | 'failed' | 'skipped') => {
      await store(n, { 't::flaky': outcome });
      const released: QuarantineChange[] = [];
      await foldFinishedRuns(db, 'quarantine', { limit: 100, from: 'end' }, async (trx, runs: FoldRun[]) => {
        released.push(...(await countQuarantinePasses(trx, runs, policy.releasePasses, T0 + n * MINUTE)));
      });
      return released;
    };
    await foldFinishedRuns(db, 'quarantine', { limit: 100, from: 'end' }, async () => {});
    for (const [n, outcome] of [[6, 'passed'], [7, 'passed'], [8, 'failed'], [9, 'passed'], [10, 'skipped'], [11, 'passed'], [12, 'passed']] as const) {
      expect(await fold(n, outcome), `run ${n}`).toEqual([]);
    }
    expect(await fold(13, 'passed')).toEqual([
      { project: 'svc', nodeid: 't::flaky', action: 'released', by: 'auto', reason: 'passed 4 consecutive runs', at: at(T0 + 13 * MINUTE), expires_at: null },
    ]);
    expect(await listQuarantine(db, 'svc', T0 + 13 * MINUTE)).toEqual([]);
    // The evidence that quarantined it is older than its release: it does not quarantine it again.
    expect(await applyAutoQuarantine(db, 'svc', policy, T0 + 14 * MINUTE)).toEqual([]);
  });
});
