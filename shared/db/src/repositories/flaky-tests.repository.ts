import type { FlakyTest, FlakyTests } from '@pytest-platform/schema';
import { assessFlakiness, MIN_FLAKY_FLIPS, type Flakiness, type TestOutcome } from '../intelligence/flakiness.js';
import type { Db } from '../database.js';
import type { RunDigest } from '../run-digest.js';
import { rankFlakyTests } from './flaky-ranking.js';
import { ascendingIds, chunks, newestRuns, runDigests, testsById, type WindowRun } from './run-window.js';
import { taggedTests } from './test-tags.js';

export interface FlakyTestsParams {
  project: string;
  branch?: string | undefined;
  /** Only tests that carried this tag in a stored run. */
  tag?: string | undefined;
  /** Only this test (one test's page asks for its own evidence). */
  nodeid?: string | undefined;
  /** The last N finished runs. */
  window: number;
  limit: number;
}

const MAX_EVIDENCE = 20;

/** One result of a test in a window of runs. */
export interface WindowResult {
  run: WindowRun;
  outcome: TestOutcome;
}

/** What the flaky rules say about one test's results in a window (all evidence, uncapped). */
export interface WindowAssessment extends Omit<Flakiness, 'flaky'> {
  /** Distinct runs that carry any evidence. */
  evidenceRuns: number;
}

/**
 * The flaky rules over one test's results in a window, oldest first: retries and pass-and-fail on one
 * commit across the window, flips per branch (consecutive runs of one branch).
 */
export function assessWindow(list: readonly WindowResult[]): WindowAssessment {
  const all = assessFlakiness(list.map((l) => l.outcome));
  const branches = new Map<string, TestOutcome[]>();
  for (const l of list) {
    const key = l.run.branch ?? '\u0000';
    const seq = branches.get(key);
    if (seq === undefined) branches.set(key, [l.outcome]);
    else seq.push(l.outcome);
  }
  const perBranch = [...branches.values()].map((seq) => assessFlakiness(seq));
  const flips = perBranch.reduce((n, b) => n + b.flips, 0);
  const pairs = perBranch.reduce((n, b) => n + Math.max(b.runs - 1, 0), 0);
  const evidence = { retry: all.evidence.retry, same_commit: all.evidence.same_commit, flip: perBranch.flatMap((b) => b.evidence.flip) };
  const kinds = (['retry', 'same_commit', 'flip'] as const).filter((k) => evidence[k].length > 0);
  return {
    kinds, runs: all.runs, passed: all.passed, failed: all.failed, flips, flip_rate: pairs === 0 ? null : flips / pairs,
    evidence, evidenceRuns: new Set([...evidence.retry, ...evidence.same_commit, ...evidence.flip]).size,
  };
}

/** A window of finished runs (oldest first), their digests and the tests that may be flaky in it. */
interface WindowCandidates {
  runs: WindowRun[];
  digests: Map<number, RunDigest>;
  candidates: Set<number>;
}

/**
 * The last `window` finished runs and the tests that may be flaky in them, read from the runs'
 * digests: the tests that failed or passed after retries; a test that failed in every run is broken
 * and left out; a tag keeps the candidates in its `test_tags` range.
 */
async function windowCandidates(db: Db, params: Omit<FlakyTestsParams, 'limit'>): Promise<WindowCandidates> {
  const newest = await newestRuns(db, { project: params.project, branch: params.branch, limit: params.window, finishedOnly: true });
  const runs = newest.reverse();
  const digests = await runDigests(db, runs.map((r) => r.id));
  const failCount = new Map<number, number>();
  const candidates = new Set<number>();
  for (const d of digests.values()) {
    for (let i = 0; i < d.size; i++) {
      const outcome = d.outcome(i);
      if (outcome === 'failed' || outcome === 'error') failCount.set(d.testId(i), (failCount.get(d.testId(i)) ?? 0) + 1);
      else if (outcome === 'passed' && d.attempts(i) > 1) candidates.add(d.testId(i));
    }
  }
  for (const [testId, n] of failCount) if (n < runs.length) candidates.add(testId);
  if (params.nodeid !== undefined) {
    const one = await db.selectFrom('tests').select('id').where('project', '=', params.project).where('nodeid', '=', params.nodeid).executeTakeFirst();
    for (const testId of candidates) if (testId !== one?.id) candidates.delete(testId);
  }
  if (params.tag !== undefined && candidates.size > 0) {
    const tagged = new Set<number>();
    for (const chunk of chunks([...candidates])) {
      const rows = await taggedTests(db, params.tag, [params.project]).where('test_tags.test_id', 'in', chunk).execute();
      for (const row of rows) tagged.add(row.test_id);
    }
    for (const testId of candidates) if (!tagged.has(testId)) candidates.delete(testId);
  }
  return { runs, digests, candidates };
}

/** The results of `testIds` in the window, oldest first, per test. */
function windowResults({ runs, digests }: WindowCandidates, testIds: ReadonlySet<number>): Map<number, WindowResult[]> {
  const byTest = new Map<number, WindowResult[]>();
  const wanted = ascendingIds(testIds);
  for (const run of runs) {
    const d = digests.get(run.id);
    d?.forEachOf(wanted, (i) => {
      const testId = d.testId(i);
      const list = byTest.get(testId) ?? [];
      list.push({ run, outcome: { run_id: run.run_id, outcome: d.outcome(i), attempts: d.attempts(i), commit: run.commit_sha } });
      byTest.set(testId, list);
    });
  }
  return byTest;
}

/** The results, oldest first, of the tests that may be flaky in the last `window` finished runs (see {@link windowCandidates}). */
export async function flakyCandidates(
  db: Db, params: Omit<FlakyTestsParams, 'limit'>,
): Promise<{ runs: WindowRun[]; byTest: Map<number, WindowResult[]> }> {
  const window = await windowCandidates(db, params);
  return { runs: window.runs, byTest: windowResults(window, window.candidates) };
}

/**
 * Flaky tests of the last `window` runs (see {@link windowCandidates}), ranked by flip rate then by how
 * many runs carry evidence; only the tests listed have their evidence built.
 */
export async function listFlakyTests(db: Db, params: FlakyTestsParams): Promise<FlakyTests> {
  const window = await windowCandidates(db, params);
  const empty = { project: params.project, branch: params.branch ?? null, window: window.runs.length, items: [] };
  const ranked = rankFlakyTests(window.runs, window.digests, window.candidates);
  if (ranked.length === 0) return empty;
  ranked.sort((a, b) => (b.flip_rate ?? -1) - (a.flip_rate ?? -1) || b.evidenceRuns - a.evidenceRuns || a.test_id - b.test_id);
  const top = ranked.slice(0, params.limit);
  const byTest = windowResults(window, new Set(top.map((t) => t.test_id)));
  const tests = await testsById(db, top.map((t) => t.test_id));
  const items = top.map(({ test_id }): FlakyTest => {
    const list = byTest.get(test_id)!;
    const a = assessWindow(list);
    return {
      nodeid: tests.get(test_id)?.nodeid ?? '',
      file: tests.get(test_id)?.file ?? null,
      kinds: a.kinds,
      runs: a.runs,
      passed: a.passed,
      failed: a.failed,
      flips: a.flips,
      flip_rate: a.flip_rate,
      last_run_id: list.at(-1)!.run.run_id,
      evidence: {
        retry: a.evidence.retry.slice(-MAX_EVIDENCE),
        same_commit: a.evidence.same_commit.slice(-MAX_EVIDENCE),
        flip: a.flips >= MIN_FLAKY_FLIPS ? a.evidence.flip.slice(-MAX_EVIDENCE) : [],
      },
    };
  });
  return { ...empty, items };
}
