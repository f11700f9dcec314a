/**
 * Per-day rollups kept by the run writers (migration 0003). `day` is the UTC day of the run's
 * start (`floor(started_at / 86,400,000)`); a run without a branch counts under `branch = ''`.
 */

/** How many runs of one day and branch ran a test: the denominator of a failure rate. */
export interface TestDayTable {
  project: string;
  test_id: number;
  day: number;
  branch: string;
  runs: number;
}

/** Failed and error results of one day and branch, per test and failure signature. */
export interface FailureDayTable {
  project: string;
  day: number;
  branch: string;
  /** `failureSignature` of the failures counted here. */
  signature: string;
  test_id: number;
  /** In a batch's changes: added minus removed. */
  failures: number;
  /** `started_at` of the earliest and latest run counted. */
  first_at: number;
  last_at: number;
  /** `runs.id` of the run at `last_at`. In a batch's changes: 0 when it only removed failures (the times are then not used). */
  last_run: number;
}
