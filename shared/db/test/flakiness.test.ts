import { describe, expect, test } from 'vitest';
import { assessFlakiness, classifyFailure, type TestOutcome } from '@pytest-platform/db';

const seq = (spec: string, commits?: string): TestOutcome[] =>
  [...spec].map((c, i) => ({
    run_id: `r${i + 1}`,
    outcome: c === 'P' ? 'passed' : c === 'F' ? 'failed' : c === 'E' ? 'error' : c === 'R' ? 'passed' : 'skipped',
    attempts: c === 'R' ? 2 : 1,
    commit: commits ? commits[i]! : null,
  }));

describe('assessFlakiness', () => {
  test('a test that fails every time is broken, not flaky', () => {
    expect(assessFlakiness(seq('FFFF'))).toMatchObject({ flaky: false, kinds: [], flips: 0, flip_rate: 0, failed: 4 });
  });

  test('one flip is a regression or a fix, not flakiness', () => {
    expect(assessFlakiness(seq('PPFF'))).toMatchObject({ flaky: false, flips: 1, flip_rate: 1 / 3 });
  });

  test('going back and forth is flaky, with the runs where it changed', () => {
    const f = assessFlakiness(seq('PFSPF'));
    expect(f).toMatchObject({ flaky: true, kinds: ['flip'], flips: 3, runs: 4, flip_rate: 1, evidence: { flip: ['r2', 'r4', 'r5'] } });
  });

  test('passing after retries is flaky on its own', () => {
    expect(assessFlakiness(seq('PRP'))).toMatchObject({ flaky: true, kinds: ['retry'], flips: 0, evidence: { retry: ['r2'] } });
  });

  test('a pass and a fail on the same commit is flaky', () => {
    expect(assessFlakiness(seq('PF', 'aa'))).toMatchObject({ flaky: true, kinds: ['same_commit'], evidence: { same_commit: ['r1', 'r2'] } });
    expect(assessFlakiness(seq('PF', 'ab')).flaky).toBe(false);
  });
});

describe('classifyFailure', () => {
  const prev = (spec: string, commits?: string) => seq(spec, commits).reverse();
  test('new: first failure in the window, or the previous execution passed', () => {
    expect(classifyFailure({ commit: null }, [])).toBe('new');
    expect(classifyFailure({ commit: null }, prev('PPP'))).toBe('new');
    expect(classifyFailure({ commit: null }, prev('FPPP'))).toBe('new');
    expect(classifyFailure({ commit: null }, prev('SSS'))).toBe('new');
  });
  test('recurring: it failed the previous time it ran', () => {
    expect(classifyFailure({ commit: null }, prev('PPF'))).toBe('recurring');
    expect(classifyFailure({ commit: null }, prev('PPFS'))).toBe('recurring');
  });
  test('flaky: already flaky in the window, or passed on this commit', () => {
    expect(classifyFailure({ commit: null }, prev('FPFP'))).toBe('flaky');
    expect(classifyFailure({ commit: null }, prev('PRP'))).toBe('flaky');
    expect(classifyFailure({ commit: 'c' }, prev('P', 'c'))).toBe('flaky');
  });
});
