import type { Outcome, RunTestItem } from '@pytest-platform/schema';
import type { Db } from '../database.js';

export interface RunTestsFilter {
  outcome?: Outcome | undefined;
  /** Only these node ids (all when undefined). */
  nodeids?: readonly string[] | undefined;
  limit: number;
}

/** One run's test results by node id, optionally only some outcomes or node ids. */
export async function listRunTests(db: Db, runPk: number, filter: RunTestsFilter): Promise<RunTestItem[]> {
  let query = db
    .selectFrom('results')
    .innerJoin('tests', 'tests.id', 'results.test_id')
    .select(['tests.nodeid', 'results.outcome', 'results.duration', 'results.attempts', 'results.message'])
    .where('results.run_id', '=', runPk);
  if (filter.outcome !== undefined) query = query.where('results.outcome', '=', filter.outcome);
  if (filter.nodeids !== undefined) {
    if (filter.nodeids.length === 0) return [];
    query = query.where('tests.nodeid', 'in', [...filter.nodeids]);
  }
  return query.orderBy('tests.nodeid').limit(filter.limit).execute();
}
