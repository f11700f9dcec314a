export interface IngestStats {
  consumer: string;
  /** Entries read from the stream, new or redelivered. */
  read: number;
  /** Entries written and acknowledged. */
  stored: number;
  /** Entries moved to `<stream>:dead` and acknowledged. */
  deadLettered: number;
  /** Entries taken over from idle consumers (XAUTOCLAIM). */
  claimed: number;
  /** Single-entry writes the database rejected (the entry stays pending until its deliveries run out). */
  writeFailures: number;
  /** Batch retries while the database refused every write. */
  storeRetries: number;
  /** Acknowledged entries trimmed from the stream. */
  trimmed: number;
  /** Silent running runs marked interrupted. */
  interrupted: number;
  /** Runs deleted by retention (`RETENTION_DAYS`). */
  pruned: number;
  /** Finished runs folded into the recorded durations. */
  durationRuns: number;
  /** Quarantines and releases announced on `<stream>:events` (automatic, by expiry, or made through the API). */
  quarantineChanges: number;
  /** Loop errors (Redis, housekeeping) that were logged and survived. */
  errors: number;
}

/** The counters behind {@link IngestStats}, kept by the consume loop, the batch handler and the housekeeping tasks. */
export type IngestCounters = Omit<IngestStats, 'consumer'>;

export const newCounters = (): IngestCounters => ({
  read: 0, stored: 0, deadLettered: 0, claimed: 0, writeFailures: 0, storeRetries: 0, trimmed: 0, interrupted: 0, pruned: 0, durationRuns: 0, quarantineChanges: 0, errors: 0,
});
