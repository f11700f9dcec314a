import type { Db } from '../database.js';

/** The project a stored run belongs to (the one that first stored it), or `null` when no run has this id. */
export async function findRunOwner(db: Db, runId: string): Promise<string | null> {
  const row = await db.selectFrom('runs').select('project').where('run_id', '=', runId).executeTakeFirst();
  return row?.project ?? null;
}
