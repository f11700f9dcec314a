import { sql } from 'kysely';
import type { Db } from '../database.js';

/** Runs deleted per transaction by {@link deleteRunsStartedBefore}: small, so ingest batches interleave. */
export const RETENTION_BATCH_RUNS = 500;

/**
 * Deletes up to `limit` finished runs that started before `before` (Unix ms), oldest first, with their
 * results and digests, in one transaction; a build left without runs goes too. Returns how many runs went; fewer
 * than `limit` means none are left. Interned test names and their tags stay: the ingest writer caches their ids.
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
    const builds = await trx
      .selectFrom('builds')
      .innerJoin('runs', (join) => join.onRef('runs.project', '=', 'builds.project').onRef('runs.build_id', '=', 'builds.build_id'))
      .select('builds.id')
      .distinct()
      .where('runs.id', 'in', ids)
      .execute();
    await trx.deleteFrom('results').where('run_id', 'in', ids).execute();
    await trx.deleteFrom('run_digests').where('run_id', 'in', ids).execute();
    await trx.deleteFrom('runs').where('id', 'in', ids).execute();
    if (builds.length > 0) await shrinkBuilds(trx, builds.map((b) => b.id));
    return ids.length;
  });
}

/** Builds whose runs were deleted: gone when none is left, else starting at their first remaining run. */
async function shrinkBuilds(trx: Db, ids: readonly number[]): Promise<void> {
  const runsOf = sql`FROM runs WHERE runs.project = builds.project AND runs.build_id = builds.build_id`;
  await sql`DELETE FROM builds WHERE id IN (${sql.join(ids)}) AND NOT EXISTS (SELECT 1 ${runsOf})`.execute(trx);
  await sql`UPDATE builds SET started_at = (SELECT min(runs.started_at) ${runsOf}) WHERE id IN (${sql.join(ids)})`.execute(trx);
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
