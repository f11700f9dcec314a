import { flakyKinds, type FailureClassification, type FlakyKind, type Outcome } from '@pytest-platform/schema';

/** One result of one test in one run. */
export interface TestOutcome {
  run_id: string;
  outcome: Outcome;
  attempts: number;
  commit: string | null;
}

export interface Flakiness {
  flaky: boolean;
  kinds: FlakyKind[];
  /** Runs that executed the test (passed, failed or errored). */
  runs: number;
  passed: number;
  failed: number;
  /** Changes between pass and fail over consecutive executed runs. */
  flips: number;
  /** `flips / (runs - 1)`; `null` under two runs. */
  flip_rate: number | null;
  evidence: { retry: string[]; same_commit: string[]; flip: string[] };
}

/** Outcome changes needed before flipping counts as flaky: one change is a regression or a fix, two is back and forth. */
export const MIN_FLAKY_FLIPS = 2;

const isFail = (o: Outcome) => o === 'failed' || o === 'error';
const isPass = (o: Outcome) => o === 'passed';

/**
 * The flaky rule over one test's results in a window of runs of one branch, oldest first. Flaky when
 * it (a) passed after retries, (b) both passed and failed on the same commit, or (c) flipped between
 * pass and fail at least {@link MIN_FLAKY_FLIPS} times. A test that fails every time is broken, not flaky.
 */
export function assessFlakiness(results: readonly TestOutcome[]): Flakiness {
  const evidence: Flakiness['evidence'] = { retry: [], same_commit: [], flip: [] };
  const byCommit = new Map<string, { pass: string[]; fail: string[] }>();
  let passed = 0;
  let failed = 0;
  let flips = 0;
  let previous: 'pass' | 'fail' | null = null;
  for (const r of results) {
    const state = isPass(r.outcome) ? 'pass' : isFail(r.outcome) ? 'fail' : null;
    if (state === null) continue;
    if (state === 'pass') passed++;
    else failed++;
    if (state === 'pass' && r.attempts > 1) evidence.retry.push(r.run_id);
    if (previous !== null && previous !== state) {
      flips++;
      evidence.flip.push(r.run_id);
    }
    previous = state;
    if (r.commit !== null) {
      const entry = byCommit.get(r.commit) ?? { pass: [], fail: [] };
      entry[state].push(r.run_id);
      byCommit.set(r.commit, entry);
    }
  }
  const sameCommit = new Set<string>();
  for (const { pass, fail } of byCommit.values()) {
    if (pass.length > 0 && fail.length > 0) for (const id of [...pass, ...fail]) sameCommit.add(id);
  }
  evidence.same_commit = results.map((r) => r.run_id).filter((id) => sameCommit.has(id));
  if (flips < MIN_FLAKY_FLIPS) evidence.flip = [];
  const kinds = flakyKinds.filter((k) => evidence[k].length > 0);
  const runs = passed + failed;
  return { flaky: kinds.length > 0, kinds, runs, passed, failed, flips, flip_rate: runs < 2 ? null : flips / (runs - 1), evidence };
}

/**
 * New or known: how to label a failure of a test, given that test's results in the earlier runs of the
 * same project and branch within the window, newest first (runs that did not run it are left out).
 * - `flaky`: the earlier results are flaky by {@link assessFlakiness}, or the test passed on this same commit;
 * - `new`: no earlier failure in the window, or the latest earlier execution passed;
 * - `recurring`: it failed the previous time it ran too.
 */
export function classifyFailure(current: { commit: string | null }, previous: readonly Omit<TestOutcome, 'run_id'>[]): FailureClassification {
  if (isFlaky(previous)) return 'flaky';
  if (current.commit !== null && previous.some((p) => p.commit === current.commit && isPass(p.outcome))) return 'flaky';
  const lastExecuted = previous.find((p) => isPass(p.outcome) || isFail(p.outcome));
  if (!lastExecuted || isPass(lastExecuted.outcome)) return 'new';
  return 'recurring';
}

const PASSED_ON = 1;
const FAILED_ON = 2;

/**
 * `assessFlakiness(results).flaky` without building the evidence, in either order of `results` (none of
 * the three rules depends on it: a retry is a retry, a commit's results are a set, and reversing a
 * sequence keeps its number of changes). A failure's classification asks only this, once per failure.
 */
function isFlaky(results: readonly Omit<TestOutcome, 'run_id'>[]): boolean {
  let flips = 0;
  let previous: boolean | null = null;
  let commits: Map<string, number> | undefined;
  for (const r of results) {
    const pass = isPass(r.outcome);
    if (!pass && !isFail(r.outcome)) continue;
    if (pass && r.attempts > 1) return true;
    if (previous !== null && previous !== pass && ++flips >= MIN_FLAKY_FLIPS) return true;
    previous = pass;
    if (r.commit !== null) {
      commits ??= new Map();
      const seen = (commits.get(r.commit) ?? 0) | (pass ? PASSED_ON : FAILED_ON);
      if (seen === (PASSED_ON | FAILED_ON)) return true;
      commits.set(r.commit, seen);
    }
  }
  return false;
}
