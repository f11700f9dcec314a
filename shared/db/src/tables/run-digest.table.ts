/**
 * Every result of one run in one value (migration 0007), kept by the run writers in the transaction
 * that writes the results: what the reads that scan many runs (`/flaky`, `/tests/slowest`, the
 * classification of a run's failures, `/compare`) read instead of one primary-key look-up per result.
 * `tests` is {@link encodeRunDigest}'s layout: one fixed-size record per test, by test id.
 */
export interface RunDigestTable {
  /** `runs.id`. */
  run_id: number;
  tests: Uint8Array;
}
