import { BuildDetailSchema, BuildPageSchema, RunPageSchema, RunStartedSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { MINUTE, iso, startApp, type TestContext } from './test-context.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');

let ctx: TestContext;
const shard1 = makeRun({
  project: 'acme/shop', build_id: '7001-2', shard: '1/2', started_at: iso(T0), finished_at: iso(T0 + 40_000), duration: 40,
  tests: [{ nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'passed' }, { nodeid: 'c', outcome: 'skipped' }],
});
const shard2 = makeRun({
  project: 'acme/shop', build_id: '7001-2', shard: '2/2', started_at: iso(T0 + 5_000), finished_at: iso(T0 + 65_000), duration: 60,
  tests: [{ nodeid: 'd', outcome: 'passed' }, { nodeid: 'e', outcome: 'failed', message: 'boom' }],
});

beforeAll(async () => {
  ctx = await startApp();
  await ctx.seed(shard2);
  await ctx.seed(shard1);
  // Older builds of the project, one per minute before T0, on two branches; one build still running.
  for (let i = 1; i <= 3; i++) {
    await ctx.seed(makeRun({
      project: 'acme/shop', branch: i === 2 ? 'dev' : 'main', build_id: `700${i}-1`,
      started_at: iso(T0 - i * MINUTE), finished_at: iso(T0 - i * MINUTE + 1_000), tests: [{ nodeid: 'a', outcome: 'passed' }],
    }));
  }
  await ctx.seedEntries([{ type: 'run.started', data: RunStartedSchema.parse({ run_id: 'live', project: 'acme/shop', branch: 'main', build_id: '7005-1', started_at: iso(T0 + MINUTE) }) }]);
  await ctx.seed(makeRun({ project: 'acme/api', build_id: '7001-2', started_at: iso(T0) }));
});
afterAll(() => ctx.close());

describe('GET /builds/{build_id}', () => {
  it('sums the runs of one build: counts added, status the worst, first start to last finish, with its runs', async () => {
    const res = await ctx.get(`/builds/7001-2?project=${encodeURIComponent('acme/shop')}`);
    expect(res.status).toBe(200);
    const body = BuildDetailSchema.parse(res.body);
    const { runs, ...build } = body;
    expect(build).toEqual({
      build_id: '7001-2', project: 'acme/shop', branch: 'main', commit: 'abc1234', status: 'failed', run_count: 2,
      started_at: iso(T0), finished_at: iso(T0 + 65_000), duration: 65,
      summary: { total: 5, passed: 3, failed: 1, skipped: 1, errors: 0, xfailed: 0, xpassed: 0, flaky: 0 },
      pass_rate: 0.75, shards: ['1/2', '2/2'],
    });
    expect(runs.map((r) => [r.run_id, r.build_id, r.shard, r.status])).toEqual([
      [shard1.run_id, '7001-2', '1/2', 'passed'], [shard2.run_id, '7001-2', '2/2', 'failed'],
    ]);
  });

  it('is per project: the same id in another project is another build', async () => {
    const res = await ctx.get('/builds/7001-2?project=acme/api');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ project: 'acme/api', run_count: 1, status: 'failed' });
  });

  it('answers 400 naming project when it is missing, 404 for an unknown build', async () => {
    const missing = await ctx.get('/builds/7001-2');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: { code: 'invalid_query', message: expect.stringMatching(/^project: /) } });
    const unknown = await ctx.get('/builds/nope?project=acme/shop');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: 'no build "nope" in project "acme/shop"' } });
    const other = await ctx.get('/builds/7001-2?project=acme/none');
    expect(other.status).toBe(404);
  });
});

describe('GET /builds', () => {
  it('lists builds newest first by first start, a running one with no finish, paged with an opaque cursor', async () => {
    const first = await ctx.get('/builds?project=acme/shop&limit=2');
    expect(first.status).toBe(200);
    const page1 = BuildPageSchema.parse(first.body);
    expect(page1.items.map((b) => [b.build_id, b.status, b.run_count, b.duration])).toEqual([['7005-1', 'running', 1, null], ['7001-2', 'failed', 2, 65]]);
    expect(page1.next_cursor).toEqual(expect.any(String));
    const second = BuildPageSchema.parse((await ctx.get(`/builds?project=acme/shop&limit=2&cursor=${page1.next_cursor}`)).body);
    expect(second.items.map((b) => b.build_id)).toEqual(['7001-1', '7002-1']);
    const third = BuildPageSchema.parse((await ctx.get(`/builds?project=acme/shop&limit=2&cursor=${second.next_cursor}`)).body);
    expect(third).toEqual({ items: [expect.objectContaining({ build_id: '7003-1', status: 'passed', duration: 1 })], next_cursor: null });
  });

  it('filters by branch, covers every project without project, and rejects a bad cursor or parameter', async () => {
    const dev = BuildPageSchema.parse((await ctx.get('/builds?project=acme/shop&branch=dev')).body);
    expect(dev.items.map((b) => b.build_id)).toEqual(['7002-1']);
    const all = BuildPageSchema.parse((await ctx.get('/builds?limit=3')).body);
    expect(all.items.map((b) => [b.project, b.build_id])).toEqual([['acme/shop', '7005-1'], ['acme/api', '7001-2'], ['acme/shop', '7001-2']]);
    const cursor = await ctx.get('/builds?cursor=garbage');
    expect(cursor.status).toBe(400);
    expect(cursor.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('cursor') } });
    const unknown = await ctx.get('/builds?colour=red');
    expect(unknown.status).toBe(400);
  });
});

describe('build_id and shard on a Run', () => {
  it('are on every Run, and GET /results filters by build_id', async () => {
    const res = await ctx.get('/results?build_id=7001-2&project=acme/shop');
    expect(res.status).toBe(200);
    const page = RunPageSchema.parse(res.body);
    expect(page.items.map((r) => [r.run_id, r.build_id, r.shard])).toEqual([[shard2.run_id, '7001-2', '2/2'], [shard1.run_id, '7001-2', '1/2']]);
    const everywhere = RunPageSchema.parse((await ctx.get('/results?build_id=7001-2')).body);
    expect(everywhere.items).toHaveLength(3);
    const detail = await ctx.get(`/results/${shard1.run_id}`);
    expect(detail.body).toMatchObject({ build_id: '7001-2', shard: '1/2' });
    await ctx.seed(makeRun({ project: 'acme/shop' }));
    const unbuilt = RunPageSchema.parse((await ctx.get('/results?project=acme/shop&limit=500')).body);
    expect(unbuilt.items.filter((r) => r.build_id === null).map((r) => r.shard)).toEqual([null]);
  });
});
