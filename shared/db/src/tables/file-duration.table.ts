/** A test file's recent duration (migration 0006): per run the sum of its passing tests' durations, then weighted like a test's. */
export interface FileDurationTable {
  project: string;
  file: string;
  seconds: number;
  /** Runs folded in. */
  samples: number;
  /** Start (Unix ms) of the latest run folded in. */
  updated_at: number;
}
