import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestResultInput } from '@pytest-platform/schema';
import {
  compareRuns, createRunWriter, findRun, getTestHistory, listClassifiedRunFailures, listFailureGroups, listFlakyTests, listSlowestTests,
} from '@pytest-platform/db';
import { dialects, run, tempStore } from './helpers.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

const connection = (i: number) => `ConnectionError: retry ${i} failed for <Pool at 0x7f00aa${i}1> writing /tmp/pytest-of-ci/pytest-${i}/db.sqlite`;

/** Runs r1…r6 of branch main on worker w1 (commits c1…c6), then r6b on worker w2 on commit c6. */
function tests(i: number): TestResultInput[] {
  const t: TestResultInput[] = [
    { nodeid: 'broken', outcome: 'failed', message: connection(i), duration: 0.05 },
    { nodeid: 'flip_once', outcome: i >= 4 ? 'failed' : 'passed', message: i >= 4 ? `TypeError: bad value ${i}` : null, duration: 0.01 },
    { nodeid: 'flappy', outcome: i % 2 === 0 ? 'failed' : 'passed', message: i % 2 === 0 ? `ValueError: bad value ${i * 10}` : null, duration: 0.01 },
    { nodeid: 'retried', outcome: 'passed', attempts: i === 3 ? 3 : 1, duration: 0.01 },
    { nodeid: 'same_commit', outcome: 'passed', duration: 0.01 },
    { nodeid: 'stable', outcome: 'passed', duration: i === 6 ? 0.5 : 0.2 },
    { nodeid: 'tiny', outcome: 'passed', duration: i === 6 ? 0.1 : 0.01 },
    { nodeid: 'slow_grow', outcome: 'passed', duration: i >= 4 ? 2 : 1 },
    { nodeid: 'skipper', outcome: 'skipped', duration: 0 },
  ];
  t.push(i <= 5 ? { nodeid: 'renamed_old', outcome: 'passed', duration: 0.01 } : { nodeid: 'renamed_new', outcome: 'passed', duration: 0.01 });
  return t;
}

describe.each(dialects)('test intelligence on %s', (dialect) => {
  let ctx: Awaited<ReturnType<typeof tempStore>>;

  beforeAll(async () => {
    ctx = await tempStore(dialect);
    const writer = createRunWriter(ctx.store);
    for (let i = 1; i <= 6; i++) {
      await writer.write([{ type: 'run', data: run({ run_id: `r${i}`, project: 'ti', commit: `c${i}`, started_at: at(T0 + i * HOUR), status: 'failed', tests: tests(i) }) }], T0 + i * HOUR);
    }
    await writer.write([{ type: 'run', data: run({ run_id: 'r6b', project: 'ti', commit: 'c6', worker_id: 'w2', started_at: at(T0 + 6 * HOUR + 60_000), status: 'failed', tests: [
      { nodeid: 'broken', outcome: 'failed', message: connection(7) },
      { nodeid: 'same_commit', outcome: 'failed', message: 'ValueError: bad value 7' },
      { nodeid: 'stable', outcome: 'passed', duration: 0.2 },
    ] }) }], T0 + 7 * HOUR);
    await writer.write([{ type: 'run', data: run({ run_id: 'd1', project: 'ti', branch: 'dev', commit: 'x', started_at: at(T0 + 8 * HOUR), status: 'failed', tests: [
      { nodeid: 'stable', outcome: 'failed', message: 'OSError: disk full' }, { nodeid: 'same_commit', outcome: 'passed' },
    ] }) }], T0 + 8 * HOUR);
  });
  afterAll(() => ctx.cleanup());

  it('ranks flaky tests with their evidence: flips, a pass and a fail on one commit, retries; not broken or once-flipped tests', async () => {
    const flaky = await listFlakyTests(ctx.store.db, { project: 'ti', branch: 'main', window: 30, limit: 50 });
    expect(flaky.window).toBe(7);
    expect(flaky.items.map((t) => t.nodeid)).toEqual(['flappy', 'same_commit', 'retried']);
    expect(flaky.items[0]).toEqual({
      nodeid: 'flappy', file: null, kinds: ['flip'], runs: 6, passed: 3, failed: 3, flips: 5, flip_rate: 1, last_run_id: 'r6',
      evidence: { retry: [], same_commit: [], flip: ['r2', 'r3', 'r4', 'r5', 'r6'] },
    });
    expect(flaky.items[1]).toMatchObject({ kinds: ['same_commit'], runs: 7, flips: 1, flip_rate: 1 / 6, evidence: { same_commit: ['r6', 'r6b'], flip: [] } });
    expect(flaky.items[2]).toMatchObject({ kinds: ['retry'], flips: 0, flip_rate: 0, evidence: { retry: ['r3'] } });

    const last3 = await listFlakyTests(ctx.store.db, { project: 'ti', branch: 'main', window: 3, limit: 50 });
    expect(last3.window).toBe(3);
    // r5, r6, r6b: flappy flips once in that window (pass, fail), which is not flaky yet.
    expect(last3.items.map((t) => t.nodeid)).toEqual(['same_commit']);
    expect((await listFlakyTests(ctx.store.db, { project: 'ti', branch: 'dev', window: 30, limit: 50 })).items).toEqual([]);
    expect((await listFlakyTests(ctx.store.db, { project: 'nope', window: 30, limit: 50 })).items).toEqual([]);
  });

  it('gives a test its history newest first, over workers, bounded by limit', async () => {
    const history = await getTestHistory(ctx.store.db, { project: 'ti', nodeid: 'same_commit', branch: 'main', limit: 3 });
    expect(history?.items.map((h) => [h.run_id, h.worker_id, h.commit, h.outcome])).toEqual([
      ['r6b', 'w2', 'c6', 'failed'], ['r6', 'w1', 'c6', 'passed'], ['r5', 'w1', 'c5', 'passed'],
    ]);
    expect(history?.items[0]).toMatchObject({ started_at: at(T0 + 6 * HOUR + 60_000), message: 'ValueError: bad value 7', attempts: 1, branch: 'main' });
    const all = await getTestHistory(ctx.store.db, { project: 'ti', nodeid: 'same_commit', limit: 100 });
    expect(all?.items.map((h) => h.run_id)).toEqual(['d1', 'r6b', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
    const renamed = await getTestHistory(ctx.store.db, { project: 'ti', nodeid: 'renamed_new', limit: 100 });
    expect(renamed?.items.map((h) => h.run_id)).toEqual(['r6']);
    expect(await getTestHistory(ctx.store.db, { project: 'ti', nodeid: 'nope', limit: 5 })).toBeUndefined();
  });

  it('looks for a test in growing slices of the newest runs and says how many runs there were to look in, at most scan', async () => {
    const history = (q: { nodeid: string; branch?: string; limit: number; scan?: number }) => getTestHistory(ctx.store.db, { project: 'ti', ...q });
    // Newest first: d1, r6b, r6, r5, r4, r3, r2, r1. renamed_new ran in r6 only, so every slice is looked in.
    expect(await history({ nodeid: 'renamed_new', limit: 1 })).toMatchObject({ runs_scanned: 8, items: [{ run_id: 'r6' }] });
    // Found in the first slice: the runs it did not need are counted all the same.
    expect(await history({ nodeid: 'same_commit', limit: 1 })).toMatchObject({ runs_scanned: 8, items: [{ run_id: 'd1' }] });
    expect(await history({ nodeid: 'same_commit', limit: 0 })).toMatchObject({ runs_scanned: 8, items: [] });
    expect(await history({ nodeid: 'same_commit', branch: 'main', limit: 2 })).toMatchObject({ runs_scanned: 7, items: [{ run_id: 'r6b' }, { run_id: 'r6' }] });
    expect(await history({ nodeid: 'same_commit', limit: 2, scan: 3 })).toMatchObject({ runs_scanned: 3, items: [{ run_id: 'd1' }, { run_id: 'r6b' }] });
    expect(await history({ nodeid: 'renamed_new', limit: 5, scan: 2 })).toMatchObject({ runs_scanned: 2, items: [] });
    expect(await history({ nodeid: 'renamed_new', limit: 5, scan: 3 })).toMatchObject({ runs_scanned: 3, items: [{ run_id: 'r6' }] });
    expect(await history({ nodeid: 'renamed_old', limit: 2, scan: 0 })).toMatchObject({ runs_scanned: 0, items: [] });
  });

  it('classifies each failure of a run as new, recurring or flaky', async () => {
    const classes = async (runId: string) => {
      const found = await findRun(ctx.store.db, runId);
      return Object.fromEntries((await listClassifiedRunFailures(ctx.store.db, found!.pk, { limit: 100 })).items.map((f) => [f.nodeid, f.classification]));
    };
    expect(await classes('r1')).toEqual({ broken: 'new' });
    expect(await classes('r2')).toEqual({ broken: 'recurring', flappy: 'new' });
    expect(await classes('r4')).toEqual({ broken: 'recurring', flappy: 'flaky', flip_once: 'new' });
    expect(await classes('r5')).toEqual({ broken: 'recurring', flip_once: 'recurring' });
    expect(await classes('r6b')).toEqual({ broken: 'recurring', same_commit: 'flaky' });
    expect(await classes('d1')).toEqual({ stable: 'new' });
  });

  it('groups failures by normalized message: numbers, addresses and temp paths masked, exception types apart', async () => {
    const groups = await listFailureGroups(ctx.store.db, { project: 'ti', since: T0, limit: 10 });
    expect(groups.map((g) => [g.normalized, g.failures, g.tests])).toEqual([
      ['ConnectionError: retry <n> failed for <Pool at <addr>> writing <tmp>', 7, 1],
      ['ValueError: bad value <n>', 4, 2],
      ['TypeError: bad value <n>', 3, 1],
      ['OSError: disk full', 1, 1],
    ]);
    expect(groups[0]).toMatchObject({
      first_seen: at(T0 + HOUR), last_seen: at(T0 + 6 * HOUR + 60_000), example: { nodeid: 'broken', run_id: 'r6b', message: connection(7) },
    });
    // The window is whole UTC days: a start inside the day counts the whole day, the next day holds nothing.
    const main = await listFailureGroups(ctx.store.db, { project: 'ti', branch: 'main', since: T0 + 5 * HOUR, limit: 2 });
    expect(main.map((g) => [g.normalized, g.failures])).toEqual([['ConnectionError: retry <n> failed for <Pool at <addr>> writing <tmp>', 7], ['ValueError: bad value <n>', 4]]);
    expect(await listFailureGroups(ctx.store.db, { project: 'ti', since: T0 + 24 * HOUR, limit: 2 })).toEqual([]);
  });

  it('compares two runs: newly failing, fixed, still failing, added, removed (a rename is both), slower', async () => {
    const ref = async (id: string) => {
      const r = await findRun(ctx.store.db, id);
      return { pk: r!.pk, run_id: r!.run_id, project: r!.project, branch: r!.branch, commit: r!.commit, started_at: r!.started_at };
    };
    const diff = await compareRuns(ctx.store.db, await ref('r5'), await ref('r6'), { limit: 100 });
    const names = (c: { items: { nodeid: string }[] }) => c.items.map((i) => i.nodeid);
    expect(names(diff.newly_failing)).toEqual(['flappy']);
    expect(diff.newly_failing.items[0]).toEqual({ nodeid: 'flappy', base_outcome: 'passed', head_outcome: 'failed', base_duration: 0.01, head_duration: 0.01, message: 'ValueError: bad value 60' });
    expect(names(diff.fixed)).toEqual([]);
    expect(names(diff.still_failing)).toEqual(['broken', 'flip_once']);
    expect(names(diff.added)).toEqual(['renamed_new']);
    expect(names(diff.removed)).toEqual(['renamed_old']);
    expect(names(diff.slower)).toEqual(['stable']);
    expect(diff.slower.items[0]).toMatchObject({ base_duration: 0.2, head_duration: 0.5 });
    expect([diff.newly_failing.count, diff.fixed.count, diff.still_failing.count, diff.added.count, diff.removed.count, diff.slower.count]).toEqual([1, 0, 2, 1, 1, 1]);
    const back = await compareRuns(ctx.store.db, await ref('r4'), await ref('r5'), { limit: 1 });
    expect(names(back.fixed)).toEqual(['flappy']);
    expect(back.still_failing).toEqual({ count: 2, items: [expect.objectContaining({ nodeid: 'broken' })] });
  });

  it('lists the slowest tests by median duration over recent runs, with the trend', async () => {
    const slow = await listSlowestTests(ctx.store.db, { project: 'ti', branch: 'main', runs: 10, limit: 2 });
    expect(slow.runs).toBe(7);
    expect(slow.items).toEqual([
      { nodeid: 'slow_grow', median_duration: 1.5, latest_duration: 2, runs: 6, change: 2, trend: 'slower' },
      { nodeid: 'stable', median_duration: 0.2, latest_duration: 0.2, runs: 7, change: 1, trend: 'stable' },
    ]);
    const recent = await listSlowestTests(ctx.store.db, { project: 'ti', branch: 'main', runs: 1, limit: 1 });
    expect(recent.items).toEqual([{ nodeid: 'stable', median_duration: 0.2, latest_duration: 0.2, runs: 1, change: null, trend: null }]);
  });
});
