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
    await trx.deleteFrom('results').where('run_id', 'in', ids).execute();
    await trx.deleteFrom('runs').where('id', 'in', ids).execute();
    return ids.length;
  });
}
