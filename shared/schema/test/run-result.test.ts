import { describe, expect, it } from 'vitest';
import { parseEntry, passRate, RunResultSchema, summarize, truncate } from '@pytest-platform/schema';

const run = {
  run_id: 'r-1',
  project: 'svc',
  started_at: '2026-11-26T10:00:00.000Z',
  status: 'failed',
  tests: [
    { nodeid: 't::a', outcome: 'passed', duration: 0.1 },
    { nodeid: 't::b', outcome: 'failed', message: 'AssertionError' },
    { nodeid: 't::c', outcome: 'passed', attempts: 3 },
  ],
};

describe('RunResultSchema', () => {
  it('applies defaults for optional fields', () => {
    const parsed = RunResultSchema.parse(run);
    expect(parsed.branch).toBeNull();
    expect(parsed.worker_id).toBe('unknown');
    expect(parsed.tests[0]).toMatchObject({ attempts: 1, message: null, longrepr: null, file: null, line: null });
  });

  it('rejects a run without project and names the field', () => {
    const { project: _omit, ...rest } = run;
    const result = parseEntry('run', JSON.stringify(rest));
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('project') });
  });

  it('rejects duplicate node ids within a run', () => {
    const result = parseEntry('run', JSON.stringify({ ...run, tests: [run.tests[0], run.tests[0]] }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/duplicate nodeid "t::a"/);
  });

  it('names the limit a long traceback exceeds', () => {
    const tests = [{ nodeid: 'x', outcome: 'failed', longrepr: 'y'.repeat(70_000) }];
    const result = parseEntry('run', JSON.stringify({ ...run, tests }));
    expect(!result.ok && result.reason).toMatch(/tests\.0\.longrepr: at most 65536 characters/);
  });

  it('explains entries that are not JSON or of an unknown type', () => {
    expect(parseEntry('run', '{nope')).toMatchObject({ ok: false, reason: expect.stringMatching(/^data is not JSON/) });
    expect(parseEntry('run.bogus', '{}')).toMatchObject({ ok: false, reason: expect.stringMatching(/^unknown type "run.bogus"/) });
    expect(parseEntry(undefined, '{}')).toEqual({ ok: false, reason: 'missing field "type"' });
  });
});

describe('summaries', () => {
  it('counts outcomes and flaky passes', () => {
    const tests = RunResultSchema.parse(run).tests;
    expect(summarize(tests)).toEqual({ total: 3, passed: 2, failed: 1, skipped: 0, errors: 0, xfailed: 0, xpassed: 0, flaky: 1 });
  });

  it('has no pass rate for a run that executed nothing', () => {
    expect(passRate({ passed: 0, failed: 0, errors: 0 })).toBeNull();
    expect(passRate({ passed: 3, failed: 1, errors: 0 })).toBe(0.75);
    expect(passRate({ passed: 0, failed: 0, errors: 2 })).toBe(0);
  });

  it('truncates with a visible marker', () => {
    const cut = truncate('a'.repeat(100), 50);
    expect(cut).toHaveLength(50);
    expect(cut.endsWith('[truncated]')).toBe(true);
    expect(truncate('short', 50)).toBe('short');
  });
});
