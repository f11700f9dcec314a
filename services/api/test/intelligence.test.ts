import {
  FailureGroupsSchema, FlakyTestsSchema, RunComparisonSchema, RunDetailSchema, SlowTestsSchema, TestHistorySchema, type TestResultInput,
} from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { HOUR, MINUTE, iso, startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
const T0 = Date.now() - 2 * 24 * HOUR;
const project = 'intel';

/** r1…r4 on worker w1, then r4b on worker w2 on the same commit as r4. */
function tests(i: number): TestResultInput[] {
  return [
    { nodeid: 'tests/t.py::test_broken', outcome: 'failed', message: `OSError: [Errno 28] no space left writing /tmp/pytest-of-ci/pytest-${i}/out.bin`, duration: 0.01 },
    { nodeid: 'tests/t.py::test_flappy', outcome: i % 2 ? 'passed' : 'failed', message: i % 2 ? null : `KeyError: 'user-${i}'`, duration: 0.01 },
    { nodeid: 'tests/t.py::test_retry', outcome: 'passed', attempts: i === 2 ? 2 : 1, duration: 0.01 },
    { nodeid: 'tests/t.py::test_slow', outcome: 'passed', duration: i === 4 ? 3 : 1 },
    { nodeid: i < 4 ? 'tests/t.py::test_old_name' : 'tests/t.py::test_new_name', outcome: 'passed', duration: 0.01 },
  ];
}

beforeAll(async () => {
  ctx = await startApp();
  for (let i = 1; i <= 4; i++) {
    await ctx.seed(makeRun({ run_id: `intel-r${i}`, project, commit: `c${i}`, worker_id: 'w1', started_at: iso(T0 + i * HOUR), tests: tests(i) }), T0 + i * HOUR);
  }
  await ctx.seed(makeRun({ run_id: 'intel-r4b', project, commit: 'c4', worker_id: 'w2', started_at: iso(T0 + 4 * HOUR + MINUTE), tests: [
    { nodeid: 'tests/t.py::test_broken', outcome: 'failed', message: 'OSError: [Errno 28] no space left writing /tmp/pytest-of-ci/pytest-9/out.bin' },
    { nodeid: 'tests/t.py::test_flappy', outcome: 'passed' },
    { nodeid: 'tests/t.py::test_new_fail', outcome: 'failed', message: 'TypeError: unsupported operand' },
  ] }), T0 + 5 * HOUR);
});
afterAll(() => ctx.close());

describe('GET /results/{run_id} classification', () => {
  it('labels every failure new, recurring or flaky', async () => {
    const res = await ctx.get('/results/intel-r4b');
    expect(res.status).toBe(200);
    const detail = RunDetailSchema.parse(res.body);
    expect(detail.failures.map((f) => [f.nodeid, f.classification])).toEqual([
      ['tests/t.py::test_broken', 'recurring'], ['tests/t.py::test_new_fail', 'new'],
    ]);
    const r4 = RunDetailSchema.parse((await ctx.get('/results/intel-r4')).body);
    expect(r4.failures.map((f) => [f.nodeid, f.classification])).toEqual([['tests/t.py::test_broken', 'recurring'], ['tests/t.py::test_flappy', 'flaky']]);
  });
});

describe('GET /flaky', () => {
  it('ranks flaky tests with evidence; the always-failing test is not among them', async () => {
    const res = await ctx.get(`/flaky?project=${project}&branch=main`);
    expect(res.status).toBe(200);
    const body = FlakyTestsSchema.parse(res.body);
    expect(body.window).toBe(5);
    expect(body.items.map((t) => [t.nodeid, t.kinds])).toEqual([
      ['tests/t.py::test_flappy', ['same_commit', 'flip']],
      ['tests/t.py::test_retry', ['retry']],
    ]);
    expect(body.items[0]).toMatchObject({ flips: 4, flip_rate: 1, evidence: { same_commit: ['intel-r4', 'intel-r4b'] } });
    expect(body.items[1]?.evidence.retry).toEqual(['intel-r2']);
  });

  it('nodeid= gives that one test\'s assessment, or no item when it is not flaky (or not stored)', async () => {
    const one = async (nodeid: string) => FlakyTestsSchema.parse((await ctx.get(`/flaky?project=${project}&nodeid=${encodeURIComponent(nodeid)}`)).body).items;
    expect((await one('tests/t.py::test_retry')).map((t) => [t.nodeid, t.kinds])).toEqual([['tests/t.py::test_retry', ['retry']]]);
    expect(await one('tests/t.py::test_broken')).toEqual([]);
    expect(await one('tests/t.py::test_slow')).toEqual([]);
    expect(await one('tests/t.py::no_such_test')).toEqual([]);
  });

  it('validates its query', async () => {
    expect((await ctx.get('/flaky')).body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('project') } });
    expect((await ctx.get(`/flaky?project=${project}&window=0`)).status).toBe(400);
  });
});

describe('GET /tests/history', () => {
  it("gives the test's results newest first with worker, commit and message", async () => {
    const res = await ctx.get(`/tests/history?project=${project}&nodeid=${encodeURIComponent('tests/t.py::test_flappy')}&limit=3`);
    expect(res.status).toBe(200);
    const body = TestHistorySchema.parse(res.body);
    expect(body.items.map((h) => [h.run_id, h.worker_id, h.commit, h.outcome, h.message])).toEqual([
      ['intel-r4b', 'w2', 'c4', 'passed', null], ['intel-r4', 'w1', 'c4', 'failed', "KeyError: 'user-4'"], ['intel-r3', 'w1', 'c3', 'passed', null],
    ]);
  });

  it('answers 404 for an unknown test and 400 without nodeid', async () => {
    const missing = await ctx.get(`/tests/history?project=${project}&nodeid=nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('nope') } });
    expect((await ctx.get(`/tests/history?project=${project}`)).status).toBe(400);
  });
});

describe('GET /failures/groups', () => {
  it('groups failures whose messages differ only in numbers and temp paths; other exception types apart', async () => {
    const res = await ctx.get(`/failures/groups?project=${project}&days=7`);
    expect(res.status).toBe(200);
    const body = FailureGroupsSchema.parse(res.body);
    expect(body.items.map((g) => [g.normalized, g.failures, g.tests])).toEqual([
      ['OSError: [Errno <n>] no space left writing <tmp>', 5, 1],
      ['KeyError: <str>', 2, 1],
      ['TypeError: unsupported operand', 1, 1],
    ]);
    expect(body.items[0]).toMatchObject({ first_seen: iso(T0 + HOUR), last_seen: iso(T0 + 4 * HOUR + MINUTE), example: { run_id: 'intel-r4b', nodeid: 'tests/t.py::test_broken' } });
  });
});

describe('GET /compare', () => {
  it('lists newly failing, fixed, still failing, added, removed and slower tests with counts', async () => {
    const res = await ctx.get('/compare?base=intel-r3&head=intel-r4');
    expect(res.status).toBe(200);
    const body = RunComparisonSchema.parse(res.body);
    const names = (c: { items: { nodeid: string }[] }) => c.items.map((i) => i.nodeid);
    expect(names(body.newly_failing)).toEqual(['tests/t.py::test_flappy']);
    expect(names(body.fixed)).toEqual([]);
    expect(names(body.still_failing)).toEqual(['tests/t.py::test_broken']);
    expect(names(body.added)).toEqual(['tests/t.py::test_new_name']);
    expect(names(body.removed)).toEqual(['tests/t.py::test_old_name']);
    expect(body.slower.items).toEqual([{ nodeid: 'tests/t.py::test_slow', base_outcome: 'passed', head_outcome: 'passed', base_duration: 1, head_duration: 3, message: null }]);
    expect(body.head).toMatchObject({ run_id: 'intel-r4', commit: 'c4' });
  });

  it('answers 404 naming the missing run and 400 for runs of two projects', async () => {
    const missing = await ctx.get('/compare?base=intel-r3&head=nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('head') } });
    await ctx.seed(makeRun({ run_id: 'intel-other', project: 'elsewhere' }));
    expect((await ctx.get('/compare?base=intel-r3&head=intel-other')).status).toBe(400);
  });
});

describe('GET /tests/slowest', () => {
  it('ranks tests by median duration with the trend', async () => {
    const res = await ctx.get(`/tests/slowest?project=${project}&branch=main&runs=10&limit=1`);
    expect(res.status).toBe(200);
    const body = SlowTestsSchema.parse(res.body);
    expect(body.runs).toBe(5);
    expect(body.items).toEqual([{ nodeid: 'tests/t.py::test_slow', median_duration: 1, latest_duration: 3, runs: 4, change: 2, trend: 'slower' }]);
  });
});
