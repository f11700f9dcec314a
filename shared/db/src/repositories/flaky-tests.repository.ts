import type { FlakyTest, FlakyTests } from '@pytest-platform/schema';
import { assessFlakiness, MIN_FLAKY_FLIPS, type TestOutcome } from '../intelligence/flakiness.js';
import type { Db } from '../database.js';
import { chunks, failuresIn, newestRuns, probeResults, retriedIn, testsById, type WindowRun } from './run-window.js';
import { taggedTests } from './test-tags.js';

export interface FlakyTestsParams {
  project: string;
  branch?: string | undefined;
  /** Only tests that carried this tag in a stored run. */
  tag?: string | undefined;
  /** The last N finished runs. */
  window: number;
  limit: number;
}

const MAX_EVIDENCE = 20;

/**
 * Flaky tests of the last `window` runs, ranked by flip rate then by how many runs carry evidence.
 * Candidates come from the two partial indexes (failures, retried results) of the window's runs;
 * a test that failed in every run is broken and skipped; a tag keeps the candidates in its `test_tags`
 * range; only the rest is looked up by primary key.
 */
export async function listFlakyTests(db: Db, params: FlakyTestsParams): Promise<FlakyTests> {
  const runs = await newestRuns(db, { project: params.project, branch: params.branch, limit: params.window, finishedOnly: true });
  const empty = { project: params.project, branch: params.branch ?? null, window: runs.length, items: [] };
  if (runs.length === 0) return empty;
  const runIds = runs.map((r) => r.id);
  const [failures, retried] = await Promise.all([failuresIn(db, runIds), retriedIn(db, runIds)]);
  const failCount = new Map<number, number>();
  for (const f of failures) failCount.set(f.test_id, (failCount.get(f.test_id) ?? 0) + 1);
  const candidates = new Set(retried.map((r) => r.test_id));
  for (const [testId, n] of failCount) if (n < runs.length) candidates.add(testId);
  if (params.tag !== undefined && candidates.size > 0) {
    const tagged = new Set<number>();
    for (const chunk of chunks([...candidates])) {
      const rows = await taggedTests(db, params.tag, [params.project]).where('test_tags.test_id', 'in', chunk).execute();
      for (const row of rows) tagged.add(row.test_id);
    }
    for (const testId of candidates) if (!tagged.has(testId)) candidates.delete(testId);
  }
  if (candidates.size === 0) return empty;

  const order = new Map(runs.map((r, i) => [r.id, runs.length - 1 - i]));
  const runById = new Map<number, WindowRun>(runs.map((r) => [r.id, r]));
  const byTest = new Map<number, { run: WindowRun; outcome: TestOutcome }[]>();
  for (const r of await probeResults(db, runIds, [...candidates])) {
    const run = runById.get(r.run_id)!;
    const list = byTest.get(r.test_id) ?? [];
    list.push({ run, outcome: { run_id: run.run_id, outcome: r.outcome, attempts: r.attempts, commit: run.commit_sha } });
    byTest.set(r.test_id, list);
  }

  const assessed: (Omit<FlakyTest, 'nodeid' | 'file'> & { test_id: number; evidenceRuns: number })[] = [];
  for (const [testId, list] of byTest) {
    list.sort((a, b) => order.get(a.run.id)! - order.get(b.run.id)!);
    const all = assessFlakiness(list.map((l) => l.outcome));
    // Flips count between consecutive runs of one branch, so each branch is its own sequence.
    const branches = new Map<string, TestOutcome[]>();
    for (const l of list) {
      const key = l.run.branch ?? '\u0000';
      branches.set(key, [...(branches.get(key) ?? []), l.outcome]);
    }
    const perBranch = [...branches.values()].map((seq) => assessFlakiness(seq));
    const flips = perBranch.reduce((n, b) => n + b.flips, 0);
    const pairs = perBranch.reduce((n, b) => n + Math.max(b.runs - 1, 0), 0);
    const flipEvidence = perBranch.flatMap((b) => b.evidence.flip);
    const evidence = { retry: all.evidence.retry, same_commit: all.evidence.same_commit, flip: flipEvidence };
    const kinds = (['retry', 'same_commit', 'flip'] as const).filter((k) => evidence[k].length > 0);
    if (kinds.length === 0) continue;
    const evidenceRuns = new Set([...evidence.retry, ...evidence.same_commit, ...evidence.flip]).size;
    assessed.push({
      test_id: testId,
      kinds,
      runs: all.runs,
      passed: all.passed,
      failed: all.failed,
      flips,
      flip_rate: pairs === 0 ? null : flips / pairs,
      last_run_id: list.at(-1)!.run.run_id,
      evidence: {
        retry: evidence.retry.slice(-MAX_EVIDENCE),
        same_commit: evidence.same_commit.slice(-MAX_EVIDENCE),
        flip: flips >= MIN_FLAKY_FLIPS ? evidence.flip.slice(-MAX_EVIDENCE) : [],
      },
      evidenceRuns,
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
