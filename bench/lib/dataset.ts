import { RunResultSchema, type RunResult } from '@pytest-platform/schema';

const TRACEBACK = `Traceback (most recent call last):\n${'  File "tests/test_module.py", line 42, in test_case\n    assert response.status == 200\n'.repeat(22)}AssertionError: assert 404 == 200`.slice(0, 2048);

const PROJECTS = 10;
export const TESTS_PER_RUN = 1_000;

/**
 * The realistic mix of the benchmark: runs of 1,000 tests, ~3 % failed with a 2 KB traceback,
 * ~5 % skipped, node ids stable per project (as real suites are), ten projects, three workers each.
 */
export function makeRun(index: number, startedAtMs: number): RunResult {
  const project = `project-${index % PROJECTS}`;
  const tests = Array.from({ length: TESTS_PER_RUN }, (_, i) => {
    const roll = (i * 7919 + index * 104729) % 100;
    const outcome = roll < 3 ? 'failed' : roll < 8 ? 'skipped' : 'passed';
    return {
      nodeid: `tests/test_module_${i % 40}.py::TestSuite${i % 7}::test_case_${i}[param-${i % 3}]`,
      outcome,
      duration: ((i % 50) + 1) / 1000,
      message: outcome === 'failed' ? 'AssertionError: assert 404 == 200' : outcome === 'skipped' ? 'requires network' : null,
      longrepr: outcome === 'failed' ? TRACEBACK : null,
      attempts: 1,
      file: `tests/test_module_${i % 40}.py`,
      line: 10 + (i % 200),
    };
  });
  const failed = tests.some((t) => t.outcome === 'failed');
  return RunResultSchema.parse({
    run_id: `bench-${index}-${startedAtMs}`,
    project,
    branch: index % 5 === 0 ? 'feature' : 'main',
    commit: (index * 2654435761).toString(16).slice(0, 7),
    worker_id: `worker-${index % (PROJECTS * 3)}`,
    framework: 'pytest',
    framework_version: '9.0.3',
    started_at: new Date(startedAtMs).toISOString(),
    finished_at: new Date(startedAtMs + 60_000).toISOString(),
    duration: 60,
    status: failed ? 'failed' : 'passed',
    environment: { python: '3.11.7' },
    tests,
  });
}
