import type { FailureStat } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { iso } from './run-mapper.js';

export interface FailureStatsParams {
  project?: string | undefined;
  branch?: string | undefined;
  /** Unix ms: only runs started at or after it count. */
  since: number;
  limit: number;
}

/**
 * The tests that failed (or errored) most often in the window, with how many runs of the window
 * ran them, so `failure_rate = failures / runs`.
 */
export async function getFailureStats(db: Db, params: FailureStatsParams): Promise<FailureStat[]> {
  let windowRuns = db.selectFrom('runs').select('id').where('started_at', '>=', params.since);
  if (params.project !== undefined) windowRuns = windowRuns.where('project', '=', params.project);
  if (params.branch !== undefined) windowRuns = windowRuns.where('branch', '=', params.branch);

  const top = await db
    .selectFrom('results')
    .innerJoin('runs', 'runs.id', 'results.run_id')
    .select((eb) => [
      'results.test_id',
      eb.fn.countAll<number>().as('failures'),
      eb.fn.max('runs.started_at').as('last_failed_at'),
    ])
    .where('results.outcome', 'in', ['failed', 'error'])
    .where('results.run_id', 'in', windowRuns)
    .groupBy('results.test_id')
    .orderBy('failures', 'desc')
    .orderBy('last_failed_at', 'desc')
    .orderBy('results.test_id')
    .limit(params.limit)
    .execute();
  if (top.length === 0) return [];
  const ids = top.map((t) => t.test_id);

  const [tests, runs, last] = await Promise.all([
    db.selectFrom('tests').select(['id', 'project', 'nodeid']).where('id', 'in', ids).execute(),
    db
      .selectFrom('results')
      .select((eb) => ['test_id', eb.fn.countAll<number>().as('runs')])
      .where('test_id', 'in', ids)
      .where('run_id', 'in', windowRuns)
      .groupBy('test_id')
      .execute(),
    Promise.all(
      top.map((t) =>
        db
          .selectFrom('results')
          .innerJoin('runs', 'runs.id', 'results.run_id')
          .select(['results.test_id', 'results.message'])
          .where('results.test_id', '=', t.test_id)
          .where('results.outcome', 'in', ['failed', 'error'])
          .where('results.run_id', 'in', windowRuns)
          .orderBy('runs.started_at', 'desc')
          .limit(1)
          .executeTakeFirst(),
      ),
    ),
  ]);
  const testById = new Map(tests.map((t) => [t.id, t]));
  const runsById = new Map(runs.map((r) => [r.test_id, Number(r.runs)]));
  const messageById = new Map(last.flatMap((l) => (l ? [[l.test_id, l.message] as const] : [])));
  return top.map((t) => {
    const test = testById.get(t.test_id);
    const failures = Number(t.failures);
    const ran = runsById.get(t.test_id) ?? failures;
    return {
      nodeid: test?.nodeid ?? '',
      project: test?.project ?? '',
      failures,
      runs: ran,
      failure_rate: failures / ran,
      last_failed_at: iso(Number(t.last_failed_at)),
      last_message: messageById.get(t.test_id) ?? null,
    };
  });
}
