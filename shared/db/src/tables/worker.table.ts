import type { Insertable, Selectable } from 'kysely';

/** The latest that ingest heard from each worker. */
export interface WorkerTable {
  worker_id: string;
  last_seen_at: number;
  last_run_id: string | null;
  project: string | null;
  branch: string | null;
}

export type WorkerRow = Selectable<WorkerTable>;
export type NewWorker = Insertable<WorkerTable>;
