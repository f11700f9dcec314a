import type { ClassifiedFailure, Outcome } from '@pytest-platform/schema';
import { classifyFailure } from '../intelligence/flakiness.js';
import type { Db } from '../database.js';
import { newestRuns, probeResults } from './run-window.js';

/** Earlier runs of the branch a failure is compared with. */
export const CLASSIFICATION_WINDOW = 30;

/**
 * A run's failed and error tests by node id, each with its `classification` by {@link classifyFailure}
 * against the test's results in the previous {@link CLASSIFICATION_WINDOW} runs of the same project and
 * branch (primary-key look-ups of the failing tests in those runs only).
 */
export async function listClassifiedRunFailures(db: Db, runPk: number, window = CLASSIFICATION_WINDOW): Promise<ClassifiedFailure[]> {
  const run = await db.selectFrom('runs').select(['id', 'project', 'branch', 'commit_sha', 'started_at']).where('id', '=', runPk).executeTakeFirst();
  if (!run) return [];
  const failures = await db
    .selectFrom('results')
    .innerJoin('tests', 'tests.id', 'results.test_id')
    .select(['results.test_id', 'tests.nodeid', 'tests.file', 'tests.line', 'results.outcome', 'results.duration', 'results.attempts', 'results.message', 'results.longrepr'])
    .where('results.run_id', '=', runPk)
    .where('results.outcome', 'in', ['failed', 'error'])
    .orderBy('tests.nodeid')
    .execute();
  if (failures.length === 0) return [];
  const earlier = await newestRuns(db, {
    project: run.project, branch: run.branch, limit: window, before: { started_at: run.started_at, id: run.id },
  });
  const rank = new Map(earlier.map((r, i) => [r.id, i]));
  const commit = new Map(earlier.map((r) => [r.id, r.commit_sha]));
  const previous = new Map<number, { rank: number; outcome: Outcome; attempts: number; commit: string | null }[]>();
  for (const r of await probeResults(db, earlier.map((r) => r.id), failures.map((f) => f.test_id))) {
    const list = previous.get(r.test_id) ?? [];
    list.push({ rank: rank.get(r.run_id)!, outcome: r.outcome, attempts: r.attempts, commit: commit.get(r.run_id) ?? null });
    previous.set(r.test_id, list);
  }
  return failures.map(({ test_id, ...f }) => {
    const history = (previous.get(test_id) ?? []).sort((a, b) => a.rank - b.rank);
    return { ...f, outcome: f.outcome as ClassifiedFailure['outcome'], classification: classifyFailure({ commit: run.commit_sha }, history) };
  });
}
