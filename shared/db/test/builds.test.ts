import { describe, expect, it } from 'vitest';
import { RunFinishedSchema, RunStartedSchema, RunTestsSchema, type RunResultInput, type StreamEntry } from '@pytest-platform/schema';
import {
  deleteRunsStartedBefore, findBuild, findRun, listBuilds, listRuns, markStaleRunsInterrupted,
} from '@pytest-platform/db';
import { dialects, run, storeWithWriter } from './helpers.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const MINUTE = 60_000;
const at = (ms: number) => new Date(ms).toISOString();

describe.each(dialects)('builds on %s', (dialect) => {
  const ctx = storeWithWriter(dialect);

  const shard = (runId: string, k: number, startMin: number, seconds: number, status: 'passed' | 'failed', overrides: Partial<RunResultInput> = {}) =>
    run({
      run_id: runId, project: 'acme/shop', branch: 'main', commit: 'c0ffee', build_id: '9001-1', shard: `${k}/2`,
      started_at: at(T0 + startMin * MINUTE), finished_at: at(T0 + startMin * MINUTE + seconds * 1000), duration: seconds, status,
      ...overrides,
    });

  it('sums two runs of one build: counts added, the worst status, first start to last finish', async () => {
    await ctx.writer.write([{ type: 'run', data: shard('s2', 2, 1, 90, 'failed', { tests: [
      { nodeid: 'b1', outcome: 'passed' }, { nodeid: 'b2', outcome: 'failed', message: 'boom' }, { nodeid: 'b3', outcome: 'skipped' },
    ] }) }]);
    await ctx.writer.write([{ type: 'run', data: shard('s1', 1, 0, 60, 'passed', { tests: [
      { nodeid: 'a1', outcome: 'passed' }, { nodeid: 'a2', outcome: 'passed', attempts: 2 }, { nodeid: 'a3', outcome: 'xfailed' },
    ] }) }]);
    // Not part of it: a run of another project with the same build id, and a run without a build.
    await ctx.writer.write([{ type: 'run', data: run({ run_id: 'elsewhere', project: 'acme/api', build_id: '9001-1', started_at: at(T0 - MINUTE), status: 'error' }) }]);
    await ctx.writer.write([{ type: 'run', data: run({ run_id: 'loose', project: 'acme/shop', started_at: at(T0), status: 'error' }) }]);

    const build = await findBuild(ctx.store.db, 'acme/shop', '9001-1');
    const { runs, ...aggregate } = build!;
    expect(aggregate).toEqual({
      build_id: '9001-1', project: 'acme/shop', branch: 'main', commit: 'c0ffee', status: 'failed', run_count: 2,
      started_at: at(T0), finished_at: at(T0 + MINUTE + 90_000), duration: 150,
      summary: { total: 6, passed: 3, failed: 1, skipped: 1, errors: 0, xfailed: 1, xpassed: 0, flaky: 1 },
      pass_rate: 3 / 4, shards: ['1/2', '2/2'],
    });
    expect(runs.map((r) => [r.run_id, r.build_id, r.shard, r.status])).toEqual([['s1', '9001-1', '1/2', 'passed'], ['s2', '9001-1', '2/2', 'failed']]);
    expect(await findBuild(ctx.store.db, 'acme/shop', 'nope')).toBeUndefined();
    expect((await findBuild(ctx.store.db, 'acme/api', '9001-1'))).toMatchObject({ run_count: 1, status: 'error' });

    const page = await listBuilds(ctx.store.db, { project: 'acme/shop', limit: 10 });
    expect(page).toEqual({ items: [aggregate], next_cursor: null });

    const runsOfBuild = await listRuns(ctx.store.db, { project: 'acme/shop', build_id: '9001-1', limit: 10 });
    expect(runsOfBuild.items.map((r) => r.run_id)).toEqual(['s2', 's1']);
    const anyProject = await listRuns(ctx.store.db, { build_id: '9001-1', limit: 10 });
    expect(anyProject.items.map((r) => r.run_id)).toEqual(['s2', 's1', 'elsewhere']);
  });

  it('takes the status of the worst run: error > failed > interrupted > running > passed', async () => {
    const statuses = ['passed', 'running', 'interrupted', 'failed', 'error'] as const;
    for (const i of statuses.keys()) {
      // Build b<i> holds one run of each status up to statuses[i].
      for (const s of statuses.slice(0, i + 1)) {
        const base = { run_id: `b${i}-${s}`, project: 'p', build_id: `b${i}`, started_at: at(T0 + i * MINUTE) };
        if (s === 'running') await ctx.writer.write([{ type: 'run.started', data: RunStartedSchema.parse(base) }]);
        else await ctx.writer.write([{ type: 'run', data: run({ ...base, status: s }) }]);
      }
    }
    const page = await listBuilds(ctx.store.db, { project: 'p', limit: 10 });
    expect(page.items.map((b) => [b.build_id, b.status, b.run_count])).toEqual([
      ['b4', 'error', 5], ['b3', 'failed', 4], ['b2', 'interrupted', 3], ['b1', 'running', 2], ['b0', 'passed', 1],
    ]);
    const running = page.items.find((b) => b.build_id === 'b1')!;
    expect([running.finished_at, running.duration]).toEqual([null, null]);
  });

  it('assembles a live run whose build arrives on a later entry, redelivered entries storing nothing twice', async () => {
    const header = { run_id: 'live', project: 'p', branch: 'dev', commit: 'abc', worker_id: 'w', started_at: at(T0) };
    const started: StreamEntry = { type: 'run.started', data: RunStartedSchema.parse(header) };
    const tests: StreamEntry = { type: 'run.tests', data: RunTestsSchema.parse({ ...header, build_id: 'gl-77', tests: [{ nodeid: 't', outcome: 'passed' }] }) };
    const finished: StreamEntry = {
      type: 'run.finished',
      data: RunFinishedSchema.parse({ ...header, build_id: 'gl-77', shard: '3/4', finished_at: at(T0 + 30_000), duration: 30, status: 'passed' }),
    };
    await ctx.writer.write([started]);
    expect((await findRun(ctx.store.db, 'live'))).toMatchObject({ build_id: null, shard: null });
    await ctx.writer.write([tests]);
    expect(await findBuild(ctx.store.db, 'p', 'gl-77')).toMatchObject({ status: 'running', run_count: 1, finished_at: null, duration: null, shards: [] });
    await ctx.writer.write([finished, tests, started]);
    await ctx.writer.write([finished]);
    // A redelivered entry naming another build does not move a run that already has one.
    await ctx.writer.write([{ type: 'run.tests', data: RunTestsSchema.parse({ ...header, build_id: 'other', shard: '1/4', tests: [{ nodeid: 't', outcome: 'passed' }] }) }]);

    expect(await findRun(ctx.store.db, 'live')).toMatchObject({ build_id: 'gl-77', shard: '3/4', status: 'passed' });
    const build = await findBuild(ctx.store.db, 'p', 'gl-77');
    expect(build).toMatchObject({
      status: 'passed', run_count: 1, branch: 'dev', commit: 'abc', started_at: at(T0), finished_at: at(T0 + 30_000), duration: 30,
      summary: { total: 1, passed: 1 }, shards: ['3/4'],
    });
    const rows = await ctx.store.db.selectFrom('builds').select(['project', 'build_id']).execute();
    expect(rows).toEqual([{ project: 'p', build_id: 'gl-77' }]);
    expect(await findBuild(ctx.store.db, 'p', 'other')).toBeUndefined();
  });

  it('lists builds newest first by their first start, one page at a time, by project and branch', async () => {
    for (let i = 0; i < 5; i++) {
      await ctx.writer.write([{ type: 'run', data: run({ run_id: `r${i}`, project: 'p', branch: i % 2 ? 'dev' : 'main', build_id: `b${i}`, started_at: at(T0 + i * MINUTE), finished_at: at(T0 + i * MINUTE + 10_000) }) }]);
    }
    // A second run of b0 starting last does not move b0: builds are ordered by their first start.
    await ctx.writer.write([{ type: 'run', data: run({
      run_id: 'r0-late', project: 'p', branch: 'main', build_id: 'b0', started_at: at(T0 + 10 * MINUTE), finished_at: at(T0 + 10 * MINUTE + 10_000),
    }) }]);
    await ctx.writer.write([{ type: 'run', data: run({ run_id: 'q', project: 'q', build_id: 'bq', started_at: at(T0 + 20 * MINUTE) }) }]);

    const first = await listBuilds(ctx.store.db, { project: 'p', limit: 2 });
    expect(first.items.map((b) => b.build_id)).toEqual(['b4', 'b3']);
    const second = await listBuilds(ctx.store.db, { project: 'p', limit: 2, cursor: first.next_cursor! });
    expect(second.items.map((b) => b.build_id)).toEqual(['b2', 'b1']);
    const third = await listBuilds(ctx.store.db, { project: 'p', limit: 2, cursor: second.next_cursor! });
    expect(third.items.map((b) => [b.build_id, b.run_count, b.started_at, b.finished_at])).toEqual([['b0', 2, at(T0), at(T0 + 10 * MINUTE + 10_000)]]);
    expect(third.next_cursor).toBeNull();

    expect((await listBuilds(ctx.store.db, { project: 'p', branch: 'dev', limit: 10 })).items.map((b) => b.build_id)).toEqual(['b3', 'b1']);
    expect((await listBuilds(ctx.store.db, { limit: 3 })).items.map((b) => [b.project, b.build_id])).toEqual([['q', 'bq'], ['p', 'b4'], ['p', 'b3']]);
  });

  it('follows retention: a build loses its deleted runs and goes with its last one', async () => {
    await ctx.writer.write([{ type: 'run', data: run({ run_id: 'old', project: 'p', build_id: 'b', started_at: at(T0) }) }]);
    await ctx.writer.write([{ type: 'run', data: run({ run_id: 'new', project: 'p', build_id: 'b', started_at: at(T0 + 2 * MINUTE) }) }]);
    await ctx.writer.write([{ type: 'run', data: run({ run_id: 'gone', project: 'p', build_id: 'c', started_at: at(T0) }) }]);
    expect(await deleteRunsStartedBefore(ctx.store.db, T0 + MINUTE)).toBe(2);
    expect(await findBuild(ctx.store.db, 'p', 'b')).toMatchObject({ run_count: 1, started_at: at(T0 + 2 * MINUTE) });
    expect(await findBuild(ctx.store.db, 'p', 'c')).toBeUndefined();
    expect((await listBuilds(ctx.store.db, { project: 'p', limit: 10 })).items.map((b) => b.build_id)).toEqual(['b']);
  });

  it('counts a run the sweeper interrupted as finished when it was last heard from', async () => {
    const header = { run_id: 'stale', project: 'p', build_id: 'b', started_at: at(T0) };
    await ctx.writer.write([{ type: 'run.started', data: RunStartedSchema.parse(header) }], T0 + 5_000);
    await ctx.writer.write([{ type: 'run', data: run({ run_id: 'done', project: 'p', build_id: 'b', started_at: at(T0), duration: 2, finished_at: at(T0 + 2_000) }) }]);
    expect(await markStaleRunsInterrupted(ctx.store.db, T0 + 60_000)).toEqual(['stale']);
    expect(await findBuild(ctx.store.db, 'p', 'b')).toMatchObject({ status: 'interrupted', finished_at: at(T0 + 5_000), duration: 5 });
  });
});
