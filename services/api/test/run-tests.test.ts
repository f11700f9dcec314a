import { RunTestItemsSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
const run = makeRun({
  project: 'run-tests',
  tests: [
    { nodeid: 'tests/test_a.py::test_ok', outcome: 'passed', duration: 0.01 },
    { nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', duration: 0.02, message: 'AssertionError: nope' },
    { nodeid: 'tests/test_a.py::test_skip', outcome: 'skipped', message: 'later' },
    { nodeid: 'tests/test_b.py::test_other[a,b]', outcome: 'passed', duration: 0.03 },
  ],
});

beforeAll(async () => {
  ctx = await startApp();
  await ctx.seed(run);
});
afterAll(() => ctx.close());

const url = (query: string) => `/results/${run.run_id}/tests${query}`;

describe('GET /results/{run_id}/tests', () => {
  it('lists every test of the run by node id, validated by the shared schema', async () => {
    const res = await ctx.get(url(''));
    expect(res.status).toBe(200);
    const body = RunTestItemsSchema.parse(res.body);
    expect(body.run_id).toBe(run.run_id);
    expect(body.items.map((t) => [t.nodeid, t.outcome])).toEqual([
      ['tests/test_a.py::test_bad', 'failed'],
      ['tests/test_a.py::test_ok', 'passed'],
      ['tests/test_a.py::test_skip', 'skipped'],
      ['tests/test_b.py::test_other[a,b]', 'passed'],
    ]);
    expect(body.items[0]).toEqual({ nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', duration: 0.02, attempts: 1, message: 'AssertionError: nope', tags: [], quarantined: false });
  });

  it('filters by outcome and by repeated nodeid parameters', async () => {
    const nodeids = ['tests/test_a.py::test_bad', 'tests/test_b.py::test_other[a,b]', 'tests/test_gone.py::test_x'];
    const query = `?outcome=passed&${nodeids.map((n) => `nodeid=${encodeURIComponent(n)}`).join('&')}`;
    const res = await ctx.get(url(query));
    expect(res.status).toBe(200);
    expect((res.body as { items: { nodeid: string }[] }).items.map((t) => t.nodeid)).toEqual(['tests/test_b.py::test_other[a,b]']);

    const one = await ctx.get(url(`?nodeid=${encodeURIComponent('tests/test_a.py::test_bad')}`));
    expect((one.body as { items: { outcome: string }[] }).items).toEqual([expect.objectContaining({ outcome: 'failed' })]);
  });

  it('answers 404 for an unknown run and 400 naming a bad parameter', async () => {
    const missing = await ctx.get('/results/nope/tests');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('nope') } });

    const bad = await ctx.get(url('?outcome=exploded'));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('outcome') } });

    const unknown = await ctx.get(url('?colour=red'));
    expect(unknown.status).toBe(400);

    const twice = await ctx.get(url('?outcome=passed&outcome=failed'));
    expect(twice.status).toBe(400);
    expect((twice.body as { error: { message: string } }).error.message).toContain('more than once');

    const many = Array.from({ length: 201 }, (_, i) => `nodeid=t${i}`).join('&');
    const tooMany = await ctx.get(url(`?${many}`));
    expect(tooMany.status).toBe(400);
    expect((tooMany.body as { error: { message: string } }).error.message).toContain('nodeid');
  });
});
