import type { RunResultInput, TestResultInput } from '@pytest-platform/schema';
import { makeRun } from '../../../test-support/runs.js';

/** Failures in the newest run of `shop`: three pages of 50. */
export const MANY_FAILURES = 120;
export const FAILING = (i: number) => `tests/test_cart.py::test_total[case-${String(i).padStart(3, '0')}]`;
export const FLIP = 'tests/test_checkout.py::test_pay_with_a_very_long_parametrised_name[visa-EUR-3-retries-and-a-timeout-of-thirty-seconds]';
export const RETRIED = 'tests/test_checkout.py::test_refund';
export const CI_URL = 'https://ci.example.com/acme/shop/jobs/7';

const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
const after = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

function run(hoursAgo: number, overrides: Partial<RunResultInput>, tests: TestResultInput[]): SeededRun {
  const started = at(hoursAgo);
  return makeRun({ project: 'shop', started_at: started, finished_at: after(started, 42), duration: 42, ...overrides, tests });
}

const passing = (count: number): TestResultInput[] =>
  Array.from({ length: count }, (_, i) => ({
    nodeid: `tests/test_catalog.py::test_item_${i}`,
    outcome: 'passed',
    duration: 0.01 * (i + 1),
    ...(i % 3 === 0 ? { tags: ['slow'] } : {}),
  }));

/**
 * Project `shop`: three runs on main; the newest carries a CI link, a build, a retried test, a
 * test that flipped from passed to failed, and {@link MANY_FAILURES} failures with tracebacks (the
 * second of them quarantined when it ran).
 * Project `docs`: one passing run on a branch of its own.
 */
type SeededRun = RunResultInput & { run_id: string };

export function pageRuns(): { shop: SeededRun[]; docs: SeededRun[] } {
  const base = [...passing(30), { nodeid: 'tests/test_catalog.py::test_later', outcome: 'skipped' as const, message: 'not ready' }];
  const oldest = run(30, { commit: 'aaa1111', worker_id: 'ci-runner-01' }, [...base, { nodeid: FLIP, outcome: 'passed', duration: 1.5 }]);
  const older = run(20, { commit: 'bbb2222', worker_id: 'ci-runner-02' }, [
    ...base, { nodeid: FLIP, outcome: 'failed', duration: 2.5, message: 'TimeoutError: card declined', longrepr: 'E   TimeoutError: card declined' },
  ]);
  const failures: TestResultInput[] = Array.from({ length: MANY_FAILURES }, (_, i) => ({
    nodeid: FAILING(i),
    outcome: i % 10 === 9 ? 'error' : 'failed',
    duration: 0.2,
    message: `AssertionError: total ${i} != ${i + 1}`,
    longrepr: `def test_total():\n>       assert total == ${i + 1}\nE       AssertionError: total ${i} != ${i + 1}\n\ntests/test_cart.py:${10 + i}: AssertionError`,
    file: 'tests/test_cart.py',
    line: 10 + i,
    ...(i === 1 ? { quarantined: true } : {}),
  }));
  const newest = run(2, {
    commit: 'ccc3333',
    worker_id: 'ci-runner-01',
    build_id: 'pipeline-7',
    shard: '1/1',
    environment: { ci_url: CI_URL },
  }, [
    ...base,
    { nodeid: FLIP, outcome: 'passed', duration: 1.7 },
    { nodeid: RETRIED, outcome: 'passed', duration: 0.4, attempts: 2 },
    ...failures,
  ]);
  const docs = run(5, { project: 'docs', branch: 'gh-pages', commit: 'ddd4444', worker_id: 'docs-builder' }, passing(5));
  return { shop: [oldest, older, newest], docs: [docs] };
}
