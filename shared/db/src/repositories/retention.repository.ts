import { sql } from 'kysely';
import type { Db } from '../database.js';

/** Runs deleted per transaction by {@link deleteRunsStartedBefore}: small, so ingest batches interleave. */
export const RETENTION_BATCH_RUNS = 500;

/**
 * Deletes up to `limit` finished runs that started before `before` (Unix ms), oldest first, with their
 * results, in one transaction. Returns how many runs went; fewer than `limit` means none are left.
 * Interned test names stay: the ingest writer caches their ids.
 */
export async function deleteRunsStartedBefore(db: Db, before: number, limit: number = RETENTION_BATCH_RUNS): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('runs')
      .select('id')
      .where('started_at', '<', before)
      .where('status', '!=', 'running')
      .orderBy('started_at')
      .limit(limit)
      .execute();
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.id);
    await subtractFromRollups(trx, ids);
    await trx.deleteFrom('results').where('run_id', 'in', ids).execute();
    await trx.deleteFrom('runs').where('id', 'in', ids).execute();
    return ids.length;
  });
}

/** Takes the results of the runs `ids` out of the per-day rollups, before the results are deleted. */
async function subtractFromRollups(trx: Db, ids: readonly number[]): Promise<void> {
  const runIds = sql.join(ids);
  await sql`
    UPDATE test_days SET runs = test_days.runs - d.n
    FROM (SELECT runs.project AS project, results.test_id AS test_id, runs.started_at / 86400000 AS day,
                 coalesce(runs.branch, '') AS branch, count(*) AS n
          FROM results JOIN runs ON runs.id = results.run_id
          WHERE results.run_id IN (${runIds})
          GROUP BY runs.project, results.test_id, runs.started_at / 86400000, coalesce(runs.branch, '')) AS d
    WHERE test_days.project = d.project AND test_days.test_id = d.test_id AND test_days.day = d.day AND test_days.branch = d.branch`.execute(trx);
  await sql`
    UPDATE failure_days SET failures = failure_days.failures - d.n
    FROM (SELECT runs.project AS project, runs.started_at / 86400000 AS day, coalesce(runs.branch, '') AS branch,
                 coalesce(results.signature, '') AS signature, results.test_id AS test_id, count(*) AS n
          FROM results JOIN runs ON runs.id = results.run_id
          WHERE results.run_id IN (${runIds}) AND results.outcome IN ('failed', 'error')
          GROUP BY runs.project, runs.started_at / 86400000, coalesce(runs.branch, ''), coalesce(results.signature, ''), results.test_id) AS d
    WHERE failure_days.project = d.project AND failure_days.day = d.day AND failure_days.branch = d.branch
      AND failure_days.signature = d.signature AND failure_days.test_id = d.test_id`.execute(trx);
  await trx.deleteFrom('test_days').where('runs', '<=', 0).execute();
  await trx.deleteFrom('failure_days').where('failures', '<=', 0).execute();
}
