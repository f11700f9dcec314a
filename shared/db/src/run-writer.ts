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
   * `entries` is read once, in order: on SQLite one at a time inside the transaction, so entries
   * produced as they are read (parsed from the stream) are written as they come and die young.
   * @param now - Unix ms recorded as the runs' and workers' last-seen time. @defaultValue `Date.now()`
   * @returns One stored run per entry.
   */
  write(entries: Iterable<StreamEntry>, now?: number): Promise<StoredRun[]>;
}

/**
 * An entry for a `run_id` that another project stored first: a run belongs to the project that
 * first stored it, so the entry changes nothing and is refused at once (never retried).
 */
export class RunIdTakenError extends Error {
  override readonly name = 'RunIdTakenError';
  readonly code = 'run_id_taken';

  constructor(
    readonly runId: string,
    /** The project the refused entry named. */
    readonly project: string,
    /** The project the run belongs to; `null` when it could not be read. */
    readonly owner: string | null,
  ) {
    super(
      `run_id ${JSON.stringify(runId)} belongs to ${owner === null ? 'another project' : `project ${JSON.stringify(owner)}`}; `
      + `an entry of project ${JSON.stringify(project)} may not change it (use a new run_id)`,
    );
  }
}
