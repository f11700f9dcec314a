import { randomUUID } from 'node:crypto';
import { FailureStatsSchema, RunStartedSchema, TrendSchema, WorkersSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { HOUR, iso, MINUTE, startApp, type TestContext } from './test-context.js';

const DAY = 24 * HOUR;

describe('GET /trend', () => {
  let ctx: TestContext;
  const now = Date.now();
  beforeAll(async () => {
    ctx = await startApp();
    // 3 passed, 1 failed; the skip and the xfail do not count: 3/4.
    await ctx.seed(makeRun({ run_id: 't1', project: 'shop', branch: 'main', started_at: iso(now - 3 * HOUR), duration: 10, tests: [
      { nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'passed' }, { nodeid: 'c', outcome: 'passed' },
      { nodeid: 'd', outcome: 'failed' }, { nodeid: 'e', outcome: 'skipped' }, { nodeid: 'f', outcome: 'xfailed' },
    ] }));
    // 2 passed, 1 error; the xpass does not count: 2/3.
    await ctx.seed(makeRun({ run_id: 't2', project: 'shop', branch: 'main', started_at: iso(now - 2 * HOUR), duration: 20, tests: [
      { nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'passed' }, { nodeid: 'c', outcome: 'error' },
      { nodeid: 'g', outcome: 'xpassed' },
    ] }));
    // Nothing executed: no pass rate.
    await ctx.seed(makeRun({ run_id: 't3', project: 'shop', branch: 'main', started_at: iso(now - HOUR), duration: null, status: 'passed', tests: [
      { nodeid: 'e', outcome: 'skipped' }, { nodeid: 'f', outcome: 'skipped' },
    ] }));
    await ctx.seed(makeRun({ run_id: 't4', project: 'shop', branch: 'dev', started_at: iso(now - 30 * MINUTE), duration: 5, tests: [
      { nodeid: 'a', outcome: 'passed' },
    ] }));
    // Still running: not a trend point.
    await ctx.seedEntries([{ type: 'run.started', data: RunStartedSchema.parse({ run_id: 't5', project: 'shop', branch: 'main', started_at: iso(now - MINUTE) }) }]);
    await ctx.seed(makeRun({ run_id: 'x1', project: 'elsewhere', started_at: iso(now - HOUR) }));
  });
  afterAll(() => ctx.close());

  const point = (run_id: string, at: number, pass_rate: number | null, counts: [number, number, number, number, number], duration: number | null) => ({
    run_id, started_at: iso(at), pass_rate, total: counts[0], passed: counts[1], failed: counts[2], errors: counts[3], skipped: counts[4], duration,
  });

  it('gives exact pass rates oldest first: skips, xfails and xpasses left out, null when nothing executed', async () => {
    const res = await ctx.get('/trend?project=shop&branch=main');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(TrendSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({
      project: 'shop',
      branch: 'main',
      points: [
        point('t1', now - 3 * HOUR, 0.75, [6, 3, 1, 0, 1], 10),
        point('t2', now - 2 * HOUR, 2 / 3, [4, 2, 0, 1, 0], 20),
        point('t3', now - HOUR, null, [2, 0, 0, 0, 2], null),
      ],
    });
  });

  it('covers every branch without branch, and keeps the newest `limit` points', async () => {
    const all = await ctx.get('/trend?project=shop');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ project: 'shop', branch: null });
    expect((all.body as { points: { run_id: string; pass_rate: number | null }[] }).points.map((p) => [p.run_id, p.pass_rate]))
      .toEqual([['t1', 0.75], ['t2', 2 / 3], ['t3', null], ['t4', 1]]);
    const two = await ctx.get('/trend?project=shop&branch=main&limit=2');
    expect((two.body as { points: { run_id: string }[] }).points.map((p) => p.run_id)).toEqual(['t2', 't3']);
  });

  it('gives no points for an unknown project', async () => {
    const res = await ctx.get('/trend?project=nope');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ project: 'nope', branch: null, points: [] });
  });

  it('requires project and a numeric limit', async () => {
    const missing = await ctx.get('/trend');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('project') } });
    const bad = await ctx.get('/trend?project=shop&limit=ten');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('limit') } });
    const clamped = await ctx.get('/trend?project=shop&limit=999999');
    expect(clamped.status).toBe(200);
  });
});

describe('GET /workers', () => {
  let ctx: TestContext;
  const now = Date.now();
  beforeAll(async () => {
    ctx = await startApp({ env: { WORKER_ONLINE_MINUTES: '15' } });
    // Busy: a run started a minute ago and not finished.
    await ctx.seedEntries([{ type: 'run.started', data: RunStartedSchema.parse({ run_id: 'w-run-1', project: 'shop', branch: 'main', worker_id: 'busy', started_at: iso(now - MINUTE) }) }], now - MINUTE);
    // Seen 5 minutes ago; two runs in the last 24 h (3+1 passed, 1 failed: 4/5), one two days ago.
    await ctx.seed(makeRun({ run_id: 'w-old', worker_id: 'fresh', project: 'shop', started_at: iso(now - 2 * DAY), tests: [{ nodeid: 'a', outcome: 'failed' }] }), now - 2 * DAY);
    await ctx.seed(makeRun({ run_id: 'w-a', worker_id: 'fresh', project: 'shop', started_at: iso(now - 3 * HOUR), tests: [
      { nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'passed' }, { nodeid: 'c', outcome: 'passed' }, { nodeid: 'd', outcome: 'failed' },
      { nodeid: 'e', outcome: 'skipped' },
    ] }), now - 3 * HOUR);
    await ctx.seed(makeRun({ run_id: 'w-b', worker_id: 'fresh', project: 'api', branch: 'dev', started_at: iso(now - 10 * MINUTE), tests: [{ nodeid: 'a', outcome: 'passed' }] }), now - 5 * MINUTE);
    // Seen an hour ago; its one run executed nothing.
    await ctx.seed(makeRun({ run_id: 'w-c', worker_id: 'gone', project: 'shop', branch: null, started_at: iso(now - 70 * MINUTE), tests: [{ nodeid: 'a', outcome: 'skipped' }] }), now - HOUR);
  });
  afterAll(() => ctx.close());

  it('says running, online or offline by last seen, with exact 24 h numbers', async () => {
    const res = await ctx.get('/workers');
    expect(res.status).toBe(200);
    expect(WorkersSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({
      items: [
        { worker_id: 'busy', status: 'running', last_seen: iso(now - MINUTE), last_run_id: 'w-run-1', project: 'shop', branch: 'main', runs_24h: 1, pass_rate_24h: null },
        { worker_id: 'fresh', status: 'online', last_seen: iso(now - 5 * MINUTE), last_run_id: 'w-b', project: 'api', branch: 'dev', runs_24h: 2, pass_rate_24h: 0.8 },
        { worker_id: 'gone', status: 'offline', last_seen: iso(now - HOUR), last_run_id: 'w-c', project: 'shop', branch: null, runs_24h: 1, pass_rate_24h: null },
      ],
      next_cursor: null,
    });
  });

  it('uses WORKER_ONLINE_MINUTES for the online window', async () => {
    const wide = await startApp({ env: { WORKER_ONLINE_MINUTES: '120' } });
    try {
      await wide.seed(makeRun({ run_id: 'x', worker_id: 'gone', started_at: iso(now - 70 * MINUTE) }), now - HOUR);
      const res = await wide.get('/workers');
      expect((res.body as { items: { worker_id: string; status: string }[] }).items).toEqual([
        expect.objectContaining({ worker_id: 'gone', status: 'online' }),
      ]);
    } finally {
      await wide.close();
    }
  });
});

describe('GET /failures/stats', () => {
  let ctx: TestContext;
  const now = Date.now();
  const project = 'fs';
  beforeAll(async () => {
    ctx = await startApp();
    const outcomes: [string, string, string][] = [
      // run, A, B; C always passes
      ['f1', 'failed', 'passed'],
      ['f2', 'passed', 'error'],
      ['f3', 'failed', 'passed'],
      ['f4', 'failed', 'passed'],
    ];
    for (const [i, [run_id, a, b]] of outcomes.entries()) {
      await ctx.seed(makeRun({ run_id, project, branch: 'main', started_at: iso(now - (4 - i) * HOUR), tests: [
        { nodeid: 'A', outcome: a as 'failed', message: `A broke in ${run_id}` },
        { nodeid: 'B', outcome: b as 'error', message: `B broke in ${run_id}` },
        { nodeid: 'C', outcome: 'passed' },
      ] }));
    }
    // Ten days ago: outside the default 7-day window.
    await ctx.seed(makeRun({ run_id: 'f0', project, branch: 'main', started_at: iso(now - 10 * DAY), tests: [
      { nodeid: 'A', outcome: 'failed', message: 'old' }, { nodeid: 'D', outcome: 'failed', message: 'D old' },
    ] }));
    await ctx.seed(makeRun({ run_id: 'g1', project: 'other', branch: 'dev', started_at: iso(now - HOUR), tests: [
      { nodeid: 'Z', outcome: 'failed', message: 'Z broke' },
    ] }));
  });
  afterAll(() => ctx.close());

  it('gives failures, runs and failure_rate = failures / runs, most failures first', async () => {
    const res = await ctx.get(`/failures/stats?project=${project}`);
    expect(res.status).toBe(200);
    expect(FailureStatsSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({
      items: [
        { nodeid: 'A', project, failures: 3, runs: 4, failure_rate: 0.75, last_failed_at: iso(now - HOUR), last_message: 'A broke in f4' },
        { nodeid: 'B', project, failures: 1, runs: 4, failure_rate: 0.25, last_failed_at: iso(now - 3 * HOUR), last_message: 'B broke in f2' },
      ],
    });
  });

  it('widens the window with days and cuts with limit', async () => {
    const wide = await ctx.get(`/failures/stats?project=${project}&days=30`);
    expect((wide.body as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ nodeid: 'A', failures: 4, runs: 5, failure_rate: 0.8 }),
      // f0 did not run B, so B still ran 4 times; ties go to the latest failure.
      expect.objectContaining({ nodeid: 'B', failures: 1, runs: 4, failure_rate: 0.25 }),
      expect.objectContaining({ nodeid: 'D', failures: 1, runs: 1, failure_rate: 1, last_message: 'D old' }),
    ]);
    const one = await ctx.get(`/failures/stats?project=${project}&limit=1`);
    expect((one.body as { items: { nodeid: string }[] }).items.map((i) => i.nodeid)).toEqual(['A']);
  });

  it('covers every project without project (ties: latest failure first), and filters by branch', async () => {
    const all = await ctx.get('/failures/stats');
    expect((all.body as { items: { nodeid: string; project: string }[] }).items.map((i) => `${i.project}/${i.nodeid}`))
      .toEqual(['fs/A', 'other/Z', 'fs/B']);
    const dev = await ctx.get('/failures/stats?branch=dev');
    expect((dev.body as { items: { nodeid: string }[] }).items.map((i) => i.nodeid)).toEqual(['Z']);
  });

  it('counts a rolling window with since, to the millisecond, from any time of day', async () => {
    const recent = await ctx.get(`/failures/stats?project=${project}&since=${iso(now - 2.5 * HOUR)}`);
    expect(recent.status).toBe(200);
    expect(recent.body).toEqual({
      items: [{ nodeid: 'A', project, failures: 2, runs: 2, failure_rate: 1, last_failed_at: iso(now - HOUR), last_message: 'A broke in f4' }],
    });
    const exact = await ctx.get(`/failures/stats?project=${project}&since=${iso(now - 3 * HOUR)}`);
    expect((exact.body as { items: { nodeid: string; runs: number }[] }).items.map((i) => [i.nodeid, i.runs])).toEqual([['A', 3], ['B', 3]]);
    const long = await ctx.get(`/failures/stats?project=${project}&since=${iso(now - 11 * DAY)}`);
    const month = await ctx.get(`/failures/stats?project=${project}&days=30`);
    expect((long.body as { items: unknown[] }).items).toEqual((month.body as { items: unknown[] }).items);

    const both = await ctx.get(`/failures/stats?days=2&since=${iso(now)}`);
    expect(both.status).toBe(400);
    expect(both.body).toEqual({ error: { code: 'invalid_query', message: 'days, since: give one of them, not both' } });
    const bad = await ctx.get('/failures/stats?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('since') } });
  });

  it('rejects a non-numeric days and clamps a large one', async () => {
    const bad = await ctx.get('/failures/stats?days=week');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('days') } });
    const big = await ctx.get(`/failures/stats?project=${project}&days=100000`);
    expect(big.status).toBe(200);
    expect((big.body as { items: unknown[] }).items).toHaveLength(3);
  });
});

describe('GET /projects', () => {
  it('lists the projects that have runs', async () => {
    const ctx = await startApp();
    try {
      const p = `p-${randomUUID()}`;
      await ctx.seed(makeRun({ project: p }));
      await ctx.seed(makeRun({ project: 'alpha' }));
      await ctx.seed(makeRun({ project: 'alpha' }));
      const res = await ctx.get('/projects');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [{ project: 'alpha' }, { project: p }], next_cursor: null });
    } finally {
      await ctx.close();
    }
  });
});
