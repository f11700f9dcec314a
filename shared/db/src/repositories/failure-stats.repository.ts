import type { FailureStat } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { isFailure, utcDay } from '../rollup-deltas.js';
import { iso } from './run-mapper.js';

export interface FailureStatsParams {
  project?: string | undefined;
  branch?: string | undefined;
  /** Unix ms: runs started on the UTC day holding it, or later, count (the window is whole days). */
  since: number;
  limit: number;
}

/**
 * The tests that failed (or errored) most often in the window, with how many runs of the window
 * ran them, so `failure_rate = failures / runs`. Reads the per-day rollups (`failure_days`,
 * `test_days`): a few rows per test and day, whatever the number of runs.
 */
export async function getFailureStats(db: Db, params: FailureStatsParams): Promise<FailureStat[]> {
  const fromDay = utcDay(params.since);
  let top = db
    .selectFrom('failure_days')
    .select((eb) => ['test_id', eb.fn.sum<number>('failures').as('total'), eb.fn.max('last_at').as('last_at')])
    .where('day', '>=', fromDay)
    .where('failures', '>', 0);
  if (params.project !== undefined) top = top.where('project', '=', params.project);
  if (params.branch !== undefined) top = top.where('branch', '=', params.branch);
  const ranked = await top
    .groupBy('test_id')
    .orderBy('total', 'desc')
    .orderBy('last_at', 'desc')
    .orderBy('test_id')
    .limit(params.limit)
    .execute();
  if (ranked.length === 0) return [];
  const ids = ranked.map((t) => t.test_id);

  const tests = await db.selectFrom('tests').select(['id', 'project', 'nodeid']).where('id', 'in', ids).execute();
  const projects = [...new Set(tests.map((t) => t.project))];
  let ran = db
    .selectFrom('test_days')
    .select((eb) => ['test_id', eb.fn.sum<number>('runs').as('runs')])
    .where('project', 'in', projects)
    .where('test_id', 'in', ids)
    .where('day', '>=', fromDay);
  // The run of each test's latest failure, for its message: the rollup row at the test's last_at.
  let latest = db
    .selectFrom('failure_days')
    .select(['test_id', 'last_at', 'last_run'])
    .where('project', 'in', projects)
    .where('day', '>=', fromDay)
    .where('test_id', 'in', ids)
    .where('failures', '>', 0);
  if (params.branch !== undefined) {
    ran = ran.where('branch', '=', params.branch);
    latest = latest.where('branch', '=', params.branch);
  }
  const [runs, latestRows] = await Promise.all([ran.groupBy('test_id').execute(), latest.execute()]);
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
