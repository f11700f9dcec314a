/** How often a long backfill, or an opener waiting for another process's migration, says how far it got. */
export const PROGRESS_EVERY_MS = 5_000;

/**
 * Told what a migration is doing while it runs: which migration starts, how far a long backfill
 * got, that another process holds the database while it migrates. `detail` is for a log line.
 */
export type MigrationProgress = (message: string, detail: Record<string, unknown>) => void;
