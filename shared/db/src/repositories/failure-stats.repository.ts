import { sql } from 'kysely';
import type { FailureStat } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { DAY_MS, isFailure, utcDay } from '../rollup-deltas.js';
import { iso } from './run-mapper.js';
import { taggedTests } from './test-tags.js';

export interface FailureStatsParams {
  project?: string | undefined;
  branch?: string | undefined;
  /** Only tests that carried this tag in a stored run. */
  tag?: string | undefined;
  /** Unix ms: runs started at or after it count. */
  since: number;
  limit: number;
}

/**
 * The window `[since, now)` as the rollups see it: whole UTC days from `fromDay` on, plus the part
 * of the first day after `since` when `since` is not a UTC midnight (read from the results).
 */
interface Window {
  fromDay: number;
  partial: { from: number; to: number } | null;
}

function windowOf(since: number): Window {
  const day = utcDay(since);
  return since === day * DAY_MS ? { fromDay: day, partial: null } : { fromDay: day + 1, partial: { from: since, to: (day + 1) * DAY_MS } };
}

interface Scope {
  projects?: string[] | undefined;
  branch?: string | undefined;
  ids?: number[];
  tag?: string | undefined;
}

/** The results of the window's first partial day, in `scope`. */
function partialDayResults(db: Db, partial: { from: number; to: number }, scope: Scope) {
  let q = db
    .selectFrom('runs')
    .innerJoin('results', 'results.run_id', 'runs.id')
    .where('runs.started_at', '>=', partial.from)
    .where('runs.started_at', '<', partial.to);
  if (scope.projects !== undefined) q = q.where('runs.project', 'in', scope.projects);
  if (scope.branch !== undefined) q = q.where('runs.branch', '=', scope.branch);
  if (scope.ids !== undefined) q = q.where('results.test_id', 'in', scope.ids);
  if (scope.tag !== undefined) q = q.where('results.test_id', 'in', taggedTests(db, scope.tag, scope.projects));
  return q;
}

/** Failures of the window, one row per rollup row or (first partial day) per failed result. */
function failureRows(db: Db, w: Window, scope: Scope) {
  let rolled = db.selectFrom('failure_days').select(['test_id', 'failures', 'last_at', 'last_run']).where('day', '>=', w.fromDay).where('failures', '>', 0);
  if (scope.projects !== undefined) rolled = rolled.where('project', 'in', scope.projects);
  if (scope.branch !== undefined) rolled = rolled.where('branch', '=', scope.branch);
  if (scope.ids !== undefined) rolled = rolled.where('test_id', 'in', scope.ids);
  if (scope.tag !== undefined) rolled = rolled.where('test_id', 'in', taggedTests(db, scope.tag, scope.projects));
  if (w.partial === null) return rolled;
  const raw = partialDayResults(db, w.partial, scope)
    .select(['results.test_id as test_id', sql<number>`1`.as('failures'), 'runs.started_at as last_at', 'runs.id as last_run'])
    // A literal list, so the planner can use the partial failure indexes.
    .where(sql<boolean>`results.outcome in ('failed', 'error')`);
  return rolled.unionAll(raw);
}

/** How many runs of the window ran each test: rollup rows plus (first partial day) one row per result. */
function ranRows(db: Db, w: Window, scope: Required<Pick<Scope, 'projects' | 'ids'>> & Pick<Scope, 'branch'>) {
  let rolled = db.selectFrom('test_days').select(['test_id', 'runs']).where('project', 'in', scope.projects).where('test_id', 'in', scope.ids).where('day', '>=', w.fromDay);
  if (scope.branch !== undefined) rolled = rolled.where('branch', '=', scope.branch);
  if (w.partial === null) return rolled;
  return rolled.unionAll(partialDayResults(db, w.partial, scope).select(['results.test_id as test_id', sql<number>`1`.as('runs')]));
}

/**
 * The tests that failed (or errored) most often in the window, with how many runs of the window
 * ran them, so `failure_rate = failures / runs`. Reads the per-day rollups (`failure_days`,
 * `test_days`): a few rows per test and day, whatever the number of runs; only a window that
 * starts inside a day reads that first day's results. A tag keeps the tests in its `test_tags` range.
 */
export async function getFailureStats(db: Db, params: FailureStatsParams): Promise<FailureStat[]> {
  const w = windowOf(params.since);
  const ranked = await db
    .selectFrom(failureRows(db, w, { projects: params.project === undefined ? undefined : [params.project], branch: params.branch, tag: params.tag }).as('w'))
    .select((eb) => ['w.test_id', eb.fn.sum<number>('w.failures').as('total'), eb.fn.max('w.last_at').as('last_at')])
    .groupBy('w.test_id')
    .orderBy('total', 'desc')
    .orderBy('last_at', 'desc')
    .orderBy('w.test_id')
    .limit(params.limit)
    .execute();
  if (ranked.length === 0) return [];
  const ids = ranked.map((t) => t.test_id);

  const tests = await db.selectFrom('tests').select(['id', 'project', 'nodeid']).where('id', 'in', ids).execute();
  const projects = [...new Set(tests.map((t) => t.project))];
  const scope = { projects, ids, branch: params.branch };
  const [runs, latestRows] = await Promise.all([
    db.selectFrom(ranRows(db, w, scope).as('r')).select((eb) => ['r.test_id', eb.fn.sum<number>('r.runs').as('runs')]).groupBy('r.test_id').execute(),
    // The run of each test's latest failure, for its message: the row at the test's last_at.
    failureRows(db, w, scope).execute(),
  ]);
  const lastRun = new Map<number, { at: number; run: number }>();
  for (const r of latestRows) {
    const seen = lastRun.get(r.test_id);
    const at = Number(r.last_at);
    if (seen === undefined || at > seen.at || (at === seen.at && r.last_run > seen.run)) lastRun.set(r.test_id, { at, run: r.last_run });
  }
  const last = await db
    .selectFrom('results')
    .select(['run_id', 'test_id', 'outcome', 'message'])
    .where('run_id', 'in', [...new Set([...lastRun.values()].map((l) => l.run))])
    .where('test_id', 'in', ids)
    .execute();
  const testById = new Map(tests.map((t) => [t.id, t]));
  const runsById = new Map(runs.map((r) => [r.test_id, Number(r.runs)]));
  const messageOf = new Map(last.filter((r) => isFailure(r.outcome)).map((r) => [`${r.run_id}:${r.test_id}`, r.message]));
  return ranked.map((t) => {
    const test = testById.get(t.test_id);
    const count = Number(t.total);
    const ranCount = Math.max(runsById.get(t.test_id) ?? count, count);
    return {
      nodeid: test?.nodeid ?? '',
      project: test?.project ?? '',
      failures: count,
      runs: ranCount,
      failure_rate: count / ranCount,
      last_failed_at: iso(Number(t.last_at)),
      last_message: messageOf.get(`${lastRun.get(t.test_id)?.run}:${t.test_id}`) ?? null,
    };
  });
}
