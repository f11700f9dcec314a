import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { StoredRunStatus } from '@pytest-platform/schema';

/** One test run. Times are Unix milliseconds; `id` is the internal key results point at. */
export interface RunTable {
  id: Generated<number>;
  run_id: string;
  project: string;
  branch: string | null;
  commit_sha: string | null;
  worker_id: string;
  framework: string;
  framework_version: string | null;
  started_at: number;
  finished_at: number | null;
  duration: number | null;
  status: StoredRunStatus;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  xfailed: number;
  xpassed: number;
  flaky: number;
  /** 1 when a producer sent the summary; 0 while it is counted from stored results. */
  summary_final: number;
  /** JSON object of strings. */
  environment: string;
  /** The CI build (pipeline / workflow run with its attempt) this run belongs to; fixed once stored. */
  build_id: string | null;
  /** `"k/n"` when the run is shard k of n; fixed once stored. */
  shard: string | null;
  /** When ingest last stored an entry of this run; a `running` run silent for too long is `interrupted`. */
  last_seen_at: number;
}

export type RunRow = Selectable<RunTable>;
export type NewRun = Insertable<RunTable>;
export type RunUpdate = Updateable<RunTable>;
