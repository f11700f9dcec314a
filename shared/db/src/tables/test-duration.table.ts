/** A test's recent duration (migration 0006): the exponentially weighted mean over its passing runs, kept by ingest. */
export interface TestDurationTable {
  project: string;
  /** `tests.id`. */
  test_id: number;
  seconds: number;
  /** Passing runs folded in. */
  samples: number;
  /** Start (Unix ms) of the latest run folded in. */
  updated_at: number;
}
