/**
 * Told what a migration is doing while it runs: which migration starts, how far a long backfill
 * got, that another process holds the database while it migrates. `detail` is for a log line.
 */
export type MigrationProgress = (message: string, detail: Record<string, unknown>) => void;
