import type { Summary, TestResult } from './run-result.js';

export const emptySummary = (): Summary => ({
  total: 0, passed: 0, failed: 0, skipped: 0, errors: 0, xfailed: 0, xpassed: 0, flaky: 0,
});

/** Counts tests by outcome; a test that passed after more than one attempt is also counted as flaky. */
export function summarize(tests: readonly Pick<TestResult, 'outcome' | 'attempts'>[]): Summary {
  const summary = emptySummary();
  for (const test of tests) {
    summary.total += 1;
    switch (test.outcome) {
      case 'passed':
        summary.passed += 1;
        if (test.attempts > 1) summary.flaky += 1;
        break;
      case 'failed': summary.failed += 1; break;
      case 'skipped': summary.skipped += 1; break;
      case 'error': summary.errors += 1; break;
      case 'xfailed': summary.xfailed += 1; break;
      case 'xpassed': summary.xpassed += 1; break;
    }
  }
  return summary;
}

/** Adds `b` into a copy of `a`. */
export function addSummaries(a: Summary, b: Summary): Summary {
  return {
    total: a.total + b.total, passed: a.passed + b.passed, failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped, errors: a.errors + b.errors, xfailed: a.xfailed + b.xfailed,
    xpassed: a.xpassed + b.xpassed, flaky: a.flaky + b.flaky,
  };
}

/**
 * `passed / (passed + failed + errors)`; skips, xfails and xpasses are left out.
 * A run that executed nothing has no pass rate: `null`, never 0 or 1.
 */
export function passRate(counts: Pick<Summary, 'passed' | 'failed' | 'errors'>): number | null {
  const executed = counts.passed + counts.failed + counts.errors;
  return executed === 0 ? null : counts.passed / executed;
}

/** The status a finished run gets from its counts when the producer did not say. */
export function statusFromSummary(summary: Summary): 'passed' | 'failed' | 'error' {
  if (summary.errors > 0 && summary.failed === 0) return 'error';
  return summary.failed > 0 || summary.errors > 0 ? 'failed' : 'passed';
}
