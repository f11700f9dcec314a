import { FailureStatsSchema, FlakyTestsSchema, RunTestItemsSchema, SlowTestsSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { HOUR, iso, startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
const now = Date.now();
const runs = [0, 1, 2, 3].map((i) =>
  makeRun({
    project: 'tagged',
    commit: `c${i}`,
    started_at: iso(now - (4 - i) * HOUR),
    finished_at: iso(now - (4 - i) * HOUR + 1_000),
    tests: [
      { nodeid: 'tests/test_ui.py::test_login', outcome: i % 2 ? 'failed' : 'passed', message: i % 2 ? 'TimeoutError' : null, tags: ['ui', 'smoke'] },
      { nodeid: 'tests/test_api.py::test_list', outcome: i % 2 ? 'failed' : 'passed', message: i % 2 ? 'KeyError' : null },
      { nodeid: 'tests/test_api.py::test_slow', outcome: 'passed', tags: ['slow'] },
    ],
  }),
);

beforeAll(async () => {
  ctx = await startApp();
  for (const run of runs) await ctx.seed(run);
});
afterAll(() => ctx.close());

describe('tag= filters', () => {
  it("GET /results/{run_id}/tests gives each test's tags and keeps the tests carrying the tag", async () => {
    const all = RunTestItemsSchema.parse((await ctx.get(`/results/${runs[3]!.run_id}/tests`)).body);
    expect(all.items.map((t) => [t.nodeid, t.tags])).toEqual([
      ['tests/test_api.py::test_list', []], ['tests/test_api.py::test_slow', ['slow']], ['tests/test_ui.py::test_login', ['ui', 'smoke']],
    ]);
    const smoke = await ctx.get(`/results/${runs[3]!.run_id}/tests?tag=smoke`);
    expect(smoke.status).toBe(200);
    expect(RunTestItemsSchema.parse(smoke.body).items.map((t) => t.nodeid)).toEqual(['tests/test_ui.py::test_login']);
    const failedSlow = RunTestItemsSchema.parse((await ctx.get(`/results/${runs[3]!.run_id}/tests?tag=slow&outcome=failed`)).body);
    expect(failedSlow.items).toEqual([]);
    expect(RunTestItemsSchema.parse((await ctx.get(`/results/${runs[3]!.run_id}/tests?tag=smok`)).body).items).toEqual([]);
  });

  it('GET /failures/stats?tag= counts only tests that carry the tag', async () => {
    const all = FailureStatsSchema.parse((await ctx.get('/failures/stats?project=tagged')).body);
    expect(all.items.map((s) => s.nodeid).sort()).toEqual(['tests/test_api.py::test_list', 'tests/test_ui.py::test_login']);
    const ui = FailureStatsSchema.parse((await ctx.get('/failures/stats?project=tagged&tag=ui')).body);
    expect(ui.items.map((s) => [s.nodeid, s.failures, s.runs])).toEqual([['tests/test_ui.py::test_login', 2, 4]]);
    const rolling = FailureStatsSchema.parse((await ctx.get(`/failures/stats?tag=ui&since=${iso(now - 150 * 60_000)}`)).body);
    expect(rolling.items.map((s) => [s.nodeid, s.failures, s.runs])).toEqual([['tests/test_ui.py::test_login', 1, 2]]);
  });

  it('GET /flaky?tag= ranks only tests that carry the tag', async () => {
    const all = FlakyTestsSchema.parse((await ctx.get('/flaky?project=tagged')).body);
    expect(all.items.map((t) => t.nodeid).sort()).toEqual(['tests/test_api.py::test_list', 'tests/test_ui.py::test_login']);
    const ui = FlakyTestsSchema.parse((await ctx.get('/flaky?project=tagged&tag=ui')).body);
    expect(ui.items.map((t) => t.nodeid)).toEqual(['tests/test_ui.py::test_login']);
  });

  it('GET /tests/slowest?tag= ranks only tests that carry the tag', async () => {
    const all = SlowTestsSchema.parse((await ctx.get('/tests/slowest?project=tagged')).body);
    expect(all.items.map((t) => t.nodeid).sort()).toEqual(['tests/test_api.py::test_list', 'tests/test_api.py::test_slow', 'tests/test_ui.py::test_login']);
    const slow = SlowTestsSchema.parse((await ctx.get('/tests/slowest?project=tagged&tag=slow')).body);
    expect(slow).toMatchObject({ runs: 4, items: [{ nodeid: 'tests/test_api.py::test_slow', runs: 4 }] });
    expect(SlowTestsSchema.parse((await ctx.get('/tests/slowest?project=tagged&tag=nope')).body).items).toEqual([]);
  });

  it('rejects an empty or overlong tag, naming it', async () => {
    for (const path of ['/tests/slowest?project=tagged&tag=', '/flaky?project=tagged&tag=', `/failures/stats?tag=${'x'.repeat(101)}`, `/results/${runs[0]!.run_id}/tests?tag=`]) {
      const res = await ctx.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual({ error: { code: 'invalid_query', message: expect.stringMatching(/^tag: /) } });
    }
  });
});
