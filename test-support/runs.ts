import { randomUUID } from 'node:crypto';
import type { RunResultInput, TestResultInput } from '@pytest-platform/schema';

/** A unique stream name for one test, so tests never see each other's entries. */
export const randomStream = (prefix = 'test') => `${prefix}:${randomUUID()}`;

/** A valid RunResult with sensible defaults; override what the test is about. */
export function makeRun(overrides: Partial<RunResultInput> = {}): RunResultInput & { run_id: string } {
  const tests: TestResultInput[] = overrides.tests ?? [
    { nodeid: 'tests/test_a.py::test_ok', outcome: 'passed', duration: 0.01 },
    { nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', duration: 0.02, message: 'AssertionError: assert 404 == 200', longrepr: 'def test_bad():\n>       assert 404 == 200\nE       AssertionError' },
  ];
  return {
    run_id: randomUUID(),
    project: 'demo',
    branch: 'main',
    commit: 'abc1234',
    worker_id: 'ci-runner-01',
    framework: 'pytest',
    framework_version: '9.0.0',
    started_at: '2026-11-26T10:00:00.000Z',
    // 12.5 s after the start, the given one or the default: a run never finishes before it starts.
    finished_at: new Date(Date.parse(overrides.started_at ?? '2026-11-26T10:00:00.000Z') + 12_500).toISOString(),
    duration: 12.5,
    status: tests.some((t) => t.outcome === 'failed' || t.outcome === 'error') ? 'failed' : 'passed',
    environment: { python: '3.11.7' },
    ...overrides,
    tests,
  } as RunResultInput & { run_id: string };
}
