import { sql, type Kysely } from 'kysely';

/**
 * A run's failures in test order, one page at a time (`GET /results/{run_id}` and its `/failures`
 * pages): a partial index of failed and error results by (run, test). Only failures pay for it and
 * it grows at the end (run ids only increase), like `results_failure_signatures`, which is ordered by
 * signature and so cannot serve a page in test order. `outcome` is in it so that counting a run's
 * failures reads the index alone (SQLite does not count a partial index's predicate column as covered).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('results_run_failures')
    .on('results')
    .columns(['run_id', 'test_id', 'outcome'])
    .where(sql.ref('outcome'), 'in', ['failed', 'error'])
    .execute();
}
