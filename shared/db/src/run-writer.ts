import type { StreamEntry } from '@pytest-platform/schema';

/** What one stored entry changed, for the caller's events and logs. */
export interface StoredRun {
  run_id: string;
  project: string;
  branch: string | null;
  /** Set when the entry finished the run (`run`, `run.finished`). */
  finished: boolean;
}

/**
 * The ingest write path of one dialect (`createRunWriter` picks it): raw prepared statements on
 * SQLite, array-parameter statements on Postgres.
 */
export interface RunWriter {
  /**
   * Writes every entry in one transaction; all or nothing. Safe to repeat with the same entries.
   * Resolves once the transaction committed; on SQLite it commits before `write` returns.
   * @param now - Unix ms recorded as the runs' and workers' last-seen time. @defaultValue `Date.now()`
   */
  write(entries: readonly StreamEntry[], now?: number): Promise<StoredRun[]>;
}
