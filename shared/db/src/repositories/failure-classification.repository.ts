import { sql } from 'kysely';
import type { ClassifiedFailure, Outcome } from '@pytest-platform/schema';
import { classifyFailure } from '../intelligence/flakiness.js';
import type { Db } from '../database.js';
import { decodeKeyCursor, encodeKeyCursor } from './run.repository.js';
import { newestRuns, probeResults } from './run-window.js';

/** Earlier runs of the branch a failure is compared with. */
export const CLASSIFICATION_WINDOW = 30;

/** Which page of a run's failures: at most `limit` (0: none, only the total), after `cursor`. */
export interface FailurePageQuery {
  limit: number;
  cursor?: string | undefined;
}

/** One page of a run's failures, the cursor of the next (null when none are left) and how many the run has. */
export interface ClassifiedFailurePage {
  items: ClassifiedFailure[];
  next_cursor: string | null;
  total: number;
}

// Literal, so the planners see that the partial index on a run's failures applies.
const isFailure = sql<boolean>`results.outcome in ('failed', 'error')`;

/**
 * One page of a run's failed and error tests, in test id order (the order the project first stored
 * each test), each with its `classification` by {@link classifyFailure} against the test's results in
 * the previous {@link CLASSIFICATION_WINDOW} runs of the same project and branch. A page reads
 * `limit + 1` entries of the partial index on failures by (run, test) and the earlier runs' digests
 * (one row per run); the total is an index-only count.
 */
export async function listClassifiedRunFailures(
  db: Db,
  runPk: number,
  page: FailurePageQuery,
  window = CLASSIFICATION_WINDOW,
): Promise<ClassifiedFailurePage> {
  const after = page.cursor === undefined ? 0 : decodeKeyCursor(page.cursor, 'number');
  const run = await db.selectFrom('runs').select(['id', 'project', 'branch', 'commit_sha', 'started_at']).where('id', '=', runPk).executeTakeFirst();
  if (!run) return { items: [], next_cursor: null, total: 0 };
  const rows = await db
    .selectFrom('results')
    .innerJoin('tests', 'tests.id', 'results.test_id')
    .select([
      'results.test_id', 'tests.nodeid', 'tests.file', 'tests.line', 'results.outcome', 'results.duration', 'results.attempts', 'results.message',
      'results.longrepr', 'results.quarantined',
    ])
    .where('results.run_id', '=', runPk)
    .where(isFailure)
    .where('results.test_id', '>', after)
    .orderBy('results.test_id')
    .limit(page.limit + 1)
    .execute();
  const failures = rows.slice(0, page.limit).map(({ quarantined, ...row }) => ({ ...row, quarantined: quarantined === 1 }));
  const more = rows.length > page.limit;
  const total = !more && page.cursor === undefined ? failures.length : await countRunFailures(db, runPk);
  return {
    items: await classify(db, run, failures, window),
    next_cursor: more ? encodeKeyCursor(failures.at(-1)?.test_id ?? after) : null,
    total,
  };
}

async function countRunFailures(db: Db, runPk: number): Promise<number> {
  const row = await db
    .selectFrom('results')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('results.run_id', '=', runPk)
    .where(isFailure)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

type RunHead = { id: number; project: string; branch: string | null; commit_sha: string | null; started_at: number };
type FailureRow = Omit<ClassifiedFailure, 'classification' | 'outcome'> & { test_id: number; outcome: Outcome };

async function classify(db: Db, run: RunHead, failures: readonly FailureRow[], window: number): Promise<ClassifiedFailure[]> {
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
