import { sql } from 'kysely';
import type { Db } from '../database.js';
import { chunks } from './run-window.js';

/** A finished run handed to a fold. */
export interface FoldRun {
  /** `runs.id`. */
  id: number;
  run_id: string;
  project: string;
  /** Unix ms. */
  started_at: number;
}

export interface FoldOptions {
  /** Most runs handed over in one call. */
  limit: number;
  /** Where a fold that never ran starts: every stored run, or only runs stored from now on. */
  from: 'start' | 'end';
}

/**
 * How far below the newest folded run the cursor stays. On Postgres, transactions of concurrent
 * ingest replicas may commit runs out of id order (each holds at most a batch of new runs), so the
 * runs just below the newest are re-checked against `folded_runs` until they are this far behind.
 */
export const FOLD_CURSOR_LAG = 5_000;

/**
 * Takes the cursor row of `name` (created at `initial` when missing) with a write first: SQLite's
 * write lock at once (no busy snapshot later in the transaction), a row lock on Postgres, so two
 * replicas folding at once take turns. Returns the position.
 */
export async function lockCursor(trx: Db, name: string, initial: 'zero' | 'newest-run'): Promise<number> {
  const start = initial === 'zero' ? sql`0` : sql`(SELECT coalesce(max(id), 0) FROM runs)`;
  const { rows } = await sql<{ position: number }>`
    INSERT INTO fold_cursors (name, position) VALUES (${name}, ${start})
    ON CONFLICT (name) DO UPDATE SET position = fold_cursors.position
    RETURNING position`.execute(trx);
  return Number(rows[0]!.position);
}

export async function moveCursor(trx: Db, name: string, position: number): Promise<void> {
  await trx.updateTable('fold_cursors').set({ position }).where('name', '=', name).execute();
}

/**
 * Hands the finished runs `name` has not folded yet (oldest first, at most `limit`) to `step`, in
 * one transaction with the record that they were folded: a run is folded once, whoever folds it,
 * and a step that throws folds nothing. A run still `running` waits until it finishes (or the sweep
 * interrupts it). Returns the runs folded; fewer than `limit` means none are left.
 */
export async function foldFinishedRuns(db: Db, name: string, options: FoldOptions, step: (trx: Db, runs: FoldRun[]) => Promise<void>): Promise<FoldRun[]> {
  return db.transaction().execute(async (trx) => {
    const cursor = await lockCursor(trx, name, options.from === 'start' ? 'zero' : 'newest-run');
    const found = await trx
      .selectFrom('runs')
      .select(['id', 'run_id', 'project', 'started_at'])
      .where('id', '>', cursor)
      .where('status', '!=', 'running')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('folded_runs').select('folded_runs.run_id').where('folded_runs.name', '=', name).whereRef('folded_runs.run_id', '=', 'runs.id'))))
      .orderBy('id')
      .limit(options.limit)
      .execute();
    const claimed = new Set<number>();
    for (const chunk of chunks(found.map((r) => r.id))) {
      const rows = await trx
        .insertInto('folded_runs')
        .values(chunk.map((id) => ({ name, run_id: id })))
        .onConflict((oc) => oc.doNothing())
        .returning('run_id')
        .execute();
      for (const row of rows) claimed.add(row.run_id);
    }
    const runs = found.filter((r) => claimed.has(r.id));
    if (runs.length > 0) await step(trx, runs);
    await advance(trx, name, cursor, found.length < options.limit ? undefined : found.at(-1)!.id);
    return runs;
  });
}

/**
 * Moves the cursor up to what is folded: every finished run up to `foldedUpTo` (`undefined`: every
 * finished run above the cursor), below the first run still running, {@link FOLD_CURSOR_LAG} behind.
 */
async function advance(trx: Db, name: string, cursor: number, foldedUpTo: number | undefined): Promise<void> {
  const running = await trx.selectFrom('runs').select((eb) => eb.fn.min('id').as('id')).where('status', '=', 'running').where('id', '>', cursor).executeTakeFirst();
  let bound = foldedUpTo ?? Number((await trx.selectFrom('runs').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? cursor);
  if (running?.id !== null && running?.id !== undefined) bound = Math.min(bound, Number(running.id) - 1);
  const position = bound - FOLD_CURSOR_LAG;
  if (position <= cursor) return;
  await moveCursor(trx, name, position);
  await trx.deleteFrom('folded_runs').where('name', '=', name).where('run_id', '<=', position).execute();
}
