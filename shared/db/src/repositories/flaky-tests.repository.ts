import type { FlakyTest, FlakyTests } from '@pytest-platform/schema';
import { assessFlakiness, MIN_FLAKY_FLIPS, type Flakiness, type TestOutcome } from '../intelligence/flakiness.js';
import type { Db } from '../database.js';
import { chunks, failuresIn, newestRuns, probeResults, retriedIn, testsById, type WindowRun } from './run-window.js';
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
    branches.set(key, [...(branches.get(key) ?? []), l.outcome]);
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

/**
 * The results, oldest first, of the tests that may be flaky in the last `window` finished runs:
 * candidates come from the two partial indexes (failures, retried results) of the window's runs; a
 * test that failed in every run is broken and left out; a tag keeps the candidates in its `test_tags`
 * range; only the rest is looked up by primary key.
 */
export async function flakyCandidates(
  db: Db, params: Omit<FlakyTestsParams, 'limit'>,
): Promise<{ runs: WindowRun[]; byTest: Map<number, WindowResult[]> }> {
  const runs = await newestRuns(db, { project: params.project, branch: params.branch, limit: params.window, finishedOnly: true });
  const byTest = new Map<number, WindowResult[]>();
  if (runs.length === 0) return { runs, byTest };
  const runIds = runs.map((r) => r.id);
  const [failures, retried] = await Promise.all([failuresIn(db, runIds), retriedIn(db, runIds)]);
  const failCount = new Map<number, number>();
  for (const f of failures) failCount.set(f.test_id, (failCount.get(f.test_id) ?? 0) + 1);
  const candidates = new Set(retried.map((r) => r.test_id));
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
  if (candidates.size === 0) return { runs, byTest };

  const order = new Map(runs.map((r, i) => [r.id, runs.length - 1 - i]));
  const runById = new Map<number, WindowRun>(runs.map((r) => [r.id, r]));
  for (const r of await probeResults(db, runIds, [...candidates])) {
    const run = runById.get(r.run_id)!;
    const list = byTest.get(r.test_id) ?? [];
    list.push({ run, outcome: { run_id: run.run_id, outcome: r.outcome, attempts: r.attempts, commit: run.commit_sha } });
    byTest.set(r.test_id, list);
  }
  for (const list of byTest.values()) list.sort((a, b) => order.get(a.run.id)! - order.get(b.run.id)!);
  return { runs, byTest };
}

/** Flaky tests of the last `window` runs (see {@link flakyCandidates}), ranked by flip rate then by how many runs carry evidence. */
export async function listFlakyTests(db: Db, params: FlakyTestsParams): Promise<FlakyTests> {
  const { runs, byTest } = await flakyCandidates(db, params);
  const empty = { project: params.project, branch: params.branch ?? null, window: runs.length, items: [] };
  if (byTest.size === 0) return empty;

  const assessed: (Omit<FlakyTest, 'nodeid' | 'file'> & { test_id: number; evidenceRuns: number })[] = [];
  for (const [testId, list] of byTest) {
    const a = assessWindow(list);
    if (a.kinds.length === 0) continue;
    assessed.push({
      test_id: testId,
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
      evidenceRuns: a.evidenceRuns,
    });
  }
  assessed.sort((a, b) => (b.flip_rate ?? -1) - (a.flip_rate ?? -1) || b.evidenceRuns - a.evidenceRuns || a.test_id - b.test_id);
  const top = assessed.slice(0, params.limit);
  const tests = await testsById(db, top.map((t) => t.test_id));
  return {
    ...empty,
    items: top.map(({ test_id, evidenceRuns: _n, ...rest }) => ({ nodeid: tests.get(test_id)?.nodeid ?? '', file: tests.get(test_id)?.file ?? null, ...rest })),
  };
}
