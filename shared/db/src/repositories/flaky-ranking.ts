import { MIN_FLAKY_FLIPS } from '../intelligence/flakiness.js';
import type { RunDigest } from '../run-digest.js';
import { ascendingIds, type WindowRun } from './run-window.js';

/** What `/flaky` ranks a test by, equal to what `assessWindow` says of the same results. */
export interface FlakyRank {
  test_id: number;
  flip_rate: number | null;
  evidenceRuns: number;
}

const PASS = 1;
const FAIL = 2;
const RETRIED = 4;

/** Each value's position among the distinct values, in order of first appearance. */
function denseIndex(values: readonly (string | null)[]): number[] {
  const ids = new Map<string | null, number>();
  return values.map((v) => {
    let id = ids.get(v);
    if (id === undefined) ids.set(v, (id = ids.size));
    return id;
  });
}

/** Per candidate, its pass and fail results in window order, each as run index × 8 + state (+ {@link RETRIED} for a pass after retries). */
function passFailSequences(runs: readonly WindowRun[], digests: ReadonlyMap<number, RunDigest>, candidates: ReadonlySet<number>): Map<number, number[]> {
  const seqs = new Map<number, number[]>();
  const wanted = ascendingIds(candidates);
  for (const [at, run] of runs.entries()) {
    const d = digests.get(run.id);
    d?.forEachOf(wanted, (i) => {
      const outcome = d.outcome(i);
      const state = outcome === 'passed' ? PASS : outcome === 'failed' || outcome === 'error' ? FAIL : 0;
      if (state === 0) return;
      const testId = d.testId(i);
      const entry = at * 8 + state + (state === PASS && d.attempts(i) > 1 ? RETRIED : 0);
      const seq = seqs.get(testId);
      if (seq === undefined) seqs.set(testId, [entry]);
      else seq.push(entry);
    });
  }
  return seqs;
}

/**
 * The rank of every candidate test that the flaky rules flag, straight from the window's digests and
 * without building its evidence: the same flip rate, evidence count and flag as `assessWindow` over
 * the test's results, so only the tests that make the page need their evidence built.
 * @param runs - the window, oldest first.
 */
export function rankFlakyTests(runs: readonly WindowRun[], digests: ReadonlyMap<number, RunDigest>, candidates: ReadonlySet<number>): FlakyRank[] {
  const branchOf = denseIndex(runs.map((r) => r.branch ?? '\u0000'));
  const commitOf = denseIndex(runs.map((r) => r.commit_sha));
  const branches = Math.max(0, ...branchOf) + 1;
  const previous = new Uint8Array(branches);
  const count = new Uint32Array(branches);
  const flips = new Uint32Array(branches);
  /** Per commit: PASS | FAIL seen on it. */
  const seen = new Uint8Array(Math.max(0, ...commitOf) + 1);
  /** Per run: it carries evidence. */
  const marked = new Uint8Array(runs.length);
  const out: FlakyRank[] = [];
  for (const [testId, seq] of passFailSequences(runs, digests, candidates)) {
    for (const a of [previous, count, flips, seen, marked]) a.fill(0);
    for (const entry of seq) {
      const at = entry >> 3;
      const state = entry & 3;
      const b = branchOf[at]!;
      count[b]!++;
      if (previous[b] !== 0 && previous[b] !== state) flips[b]!++;
      previous[b] = state;
      if (runs[at]!.commit_sha !== null) seen[commitOf[at]!]! |= state;
    }
    previous.fill(0);
    for (const entry of seq) {
      const at = entry >> 3;
      const state = entry & 3;
      const b = branchOf[at]!;
      const retried = (entry & RETRIED) !== 0;
      const sameCommit = runs[at]!.commit_sha !== null && seen[commitOf[at]!] === (PASS | FAIL);
      const flipped = previous[b] !== 0 && previous[b] !== state && flips[b]! >= MIN_FLAKY_FLIPS;
      if (retried || sameCommit || flipped) marked[at] = 1;
      previous[b] = state;
    }
    const evidenceRuns = marked.reduce((n, m) => n + m, 0);
    if (evidenceRuns === 0) continue;
    let flipCount = 0;
    let pairs = 0;
    for (let b = 0; b < branches; b++) {
      flipCount += flips[b]!;
      pairs += Math.max(count[b]! - 1, 0);
    }
    out.push({ test_id: testId, flip_rate: pairs === 0 ? null : flipCount / pairs, evidenceRuns });
  }
  return out;
}
