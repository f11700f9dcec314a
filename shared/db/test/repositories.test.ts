import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunTestsSchema } from '@pytest-platform/schema';
import {
  createRunWriter, findLatestRun, getFailureStats, getTrend, listProjects, listRuns, listWorkers,
} from '@pytest-platform/db';
import { dialects, run, tempStore } from './helpers.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

describe.each(dialects)('read queries on %s', (dialect) => {
  let ctx: Awaited<ReturnType<typeof tempStore>>;

  beforeAll(async () => {
    ctx = await tempStore(dialect);
    const writer = createRunWriter(ctx.store);
    const write = (r: ReturnType<typeof run>, seenAt: number) => writer.write([{ type: 'run', data: r }], seenAt);
    await write(run({ run_id: 'r1', worker_id: 'w1', started_at: at(T0), status: 'failed', tests: [
      { nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'failed', message: 'first' },
    ] }), T0);
    await write(run({ run_id: 'r2', worker_id: 'w1', started_at: at(T0 + HOUR), status: 'failed', duration: 20, tests: [
      { nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'failed', message: 'second' }, { nodeid: 'c', outcome: 'skipped' },
      { nodeid: 'x', outcome: 'xfailed' }, { nodeid: 'y', outcome: 'xpassed' },
    ] }), T0 + HOUR);
    await write(run({ run_id: 'r3', worker_id: 'w1', started_at: at(T0 + 2 * HOUR), tests: [{ nodeid: 'c', outcome: 'skipped' }] }), T0 + 2 * HOUR);
    await write(run({ run_id: 'r4', worker_id: 'w2', branch: 'dev', started_at: at(T0 + 90 * 60_000), status: 'failed', tests: [
      { nodeid: 'a', outcome: 'failed', message: 'dev broke a' }, { nodeid: 'b', outcome: 'error', message: 'fixture' },
    ] }), T0 + 90 * 60_000);
    await write(run({ run_id: 'o1', project: 'other', worker_id: 'w3', started_at: at(T0 - 40 * HOUR) }), T0 - 40 * HOUR);
    await writer.write([{ type: 'run.tests', data: RunTestsSchema.parse({
      run_id: 'live', project: 'svc', branch: 'main', worker_id: 'w3', started_at: at(T0 + 3 * HOUR),
      tests: [{ nodeid: 'a', outcome: 'passed' }],
    }) }], T0 + 3 * HOUR);
  });
  afterAll(() => ctx.cleanup());

  it('gives the pass-rate trend oldest first, null for a run that executed nothing, without running runs', async () => {
    const trend = await getTrend(ctx.store.db, { project: 'svc', branch: 'main', limit: 30 });
    expect(trend.points.map((p) => [p.run_id, p.pass_rate])).toEqual([['r1', 0.5], ['r2', 0.5], ['r3', null]]);
    expect(trend.points[1]).toEqual({
      run_id: 'r2', started_at: at(T0 + HOUR), pass_rate: 0.5, total: 5, passed: 1, failed: 1, errors: 0, skipped: 1, duration: 20,
    });
    const last2 = await getTrend(ctx.store.db, { project: 'svc', branch: 'main', limit: 2 });
    expect(last2.points.map((p) => p.run_id)).toEqual(['r2', 'r3']);
    const allBranches = await getTrend(ctx.store.db, { project: 'svc', limit: 30 });
    expect(allBranches.branch).toBeNull();
    expect(allBranches.points.map((p) => p.run_id)).toEqual(['r1', 'r2', 'r4', 'r3']);
  });

  it('ranks failing tests with failures over the runs that ran them', async () => {
    const stats = await getFailureStats(ctx.store.db, { project: 'svc', since: T0 - 1, limit: 20 });
    expect(stats).toEqual([
      { nodeid: 'b', project: 'svc', failures: 3, runs: 3, failure_rate: 1, last_failed_at: at(T0 + 90 * 60_000), last_message: 'fixture' },
      { nodeid: 'a', project: 'svc', failures: 1, runs: 4, failure_rate: 0.25, last_failed_at: at(T0 + 90 * 60_000), last_message: 'dev broke a' },
    ]);
    // A window that starts inside a day counts the runs started from that moment on, not the whole day.
    const later = await getFailureStats(ctx.store.db, { project: 'svc', since: T0 + 30 * 60_000, limit: 20 });
    expect(later).toEqual([
      { nodeid: 'b', project: 'svc', failures: 2, runs: 2, failure_rate: 1, last_failed_at: at(T0 + 90 * 60_000), last_message: 'fixture' },
      { nodeid: 'a', project: 'svc', failures: 1, runs: 3, failure_rate: 1 / 3, last_failed_at: at(T0 + 90 * 60_000), last_message: 'dev broke a' },
    ]);
    const mainOnly = await getFailureStats(ctx.store.db, { project: 'svc', branch: 'main', since: T0 + 30 * 60_000, limit: 20 });
    expect(mainOnly).toEqual([
      { nodeid: 'b', project: 'svc', failures: 1, runs: 1, failure_rate: 1, last_failed_at: at(T0 + HOUR), last_message: 'second' },
    ]);
    expect(await getFailureStats(ctx.store.db, { project: 'svc', since: T0 + 24 * HOUR, limit: 20 })).toEqual([]);
  });

  it('reports workers running, online and offline with their last 24 hours', async () => {
    const workers = await listWorkers(ctx.store.db, { now: T0 + 3 * HOUR + 60_000, onlineWindowMs: 15 * 60_000, limit: 100 });
    expect(workers.next_cursor).toBeNull();
    expect(workers.items).toEqual([
      { worker_id: 'w1', status: 'offline', last_seen: at(T0 + 2 * HOUR), last_run_id: 'r3', project: 'svc', branch: 'main', runs_24h: 3, pass_rate_24h: 0.5 },
      { worker_id: 'w2', status: 'offline', last_seen: at(T0 + 90 * 60_000), last_run_id: 'r4', project: 'svc', branch: 'dev', runs_24h: 1, pass_rate_24h: 0 },
      { worker_id: 'w3', status: 'running', last_seen: at(T0 + 3 * HOUR), last_run_id: 'live', project: 'svc', branch: 'main', runs_24h: 1, pass_rate_24h: 1 },
    ]);
    const soon = await listWorkers(ctx.store.db, { now: T0 + 2 * HOUR + 60_000, onlineWindowMs: 15 * 60_000, limit: 100 });
    expect(soon.items.find((w) => w.worker_id === 'w1')?.status).toBe('online');
  });

  it('pages workers by id: each page counts only its own workers, the cursor leads to the rest', async () => {
    const now = T0 + 3 * HOUR + 60_000;
    const first = await listWorkers(ctx.store.db, { now, onlineWindowMs: 15 * 60_000, limit: 2 });
    expect(first.items.map((w) => w.worker_id)).toEqual(['w1', 'w2']);
    expect(first.items[0]).toMatchObject({ runs_24h: 3, pass_rate_24h: 0.5 });
    const second = await listWorkers(ctx.store.db, { now, onlineWindowMs: 15 * 60_000, limit: 2, cursor: first.next_cursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ worker_id: 'w3', status: 'running', runs_24h: 1 })], next_cursor: null });
    await expect(listWorkers(ctx.store.db, { now, onlineWindowMs: 1, limit: 2, cursor: 'bm9wZQ' })).rejects.toThrow('cursor');
  });

  it('pages runs newest first without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns(ctx.store.db, { project: 'svc', limit: 2, cursor });
      seen.push(...page.items.map((r) => r.run_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['live', 'r3', 'r4', 'r2', 'r1']);
    expect((await listRuns(ctx.store.db, { status: 'running', limit: 10 })).items.map((r) => r.run_id)).toEqual(['live']);
    expect((await findLatestRun(ctx.store.db, 'svc', 'dev'))?.run_id).toBe('r4');
  });

  it('lists projects', async () => {
    expect(await listProjects(ctx.store.db, { limit: 100 })).toEqual({ items: ['other', 'svc'], next_cursor: null });
    const first = await listProjects(ctx.store.db, { limit: 1 });
    expect(first.items).toEqual(['other']);
    expect(await listProjects(ctx.store.db, { limit: 1, cursor: first.next_cursor! })).toEqual({ items: ['svc'], next_cursor: null });
  });
});
