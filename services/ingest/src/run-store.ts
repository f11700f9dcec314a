import { createRunWriter, openDatabase, optimizeSqlite, type DatabaseTarget, type Db, type MigrationProgress, type RunWriter, type Store } from '@pytest-platform/db';

/** Where ingest writes: the run writer for the dialect, and Kysely for housekeeping queries. */
export interface RunStore {
  dialect: Store['dialect'];
  db: Db;
  writer: RunWriter;
  /** Refreshes the planner's statistics (SQLite `PRAGMA optimize`; Postgres does this itself). */
  optimize(): void;
  close(): Promise<void>;
}

/**
 * SQLite page cache of the writer: a batch's new pages until it commits (~6 MB for 35 runs of 1,000
 * tests) and the index pages written at random positions (the failure index by test, the per-day
 * rollups: a few MB at 10M results). The default 64 MiB is for readers; this is 48 MiB of ingest's
 * resident memory it does not need (the rest of the file is one read away in the OS page cache).
 */
const WRITER_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * Opens (and migrates) the store `target` names, or uses `existing`, which the caller keeps and
 * closes; `onMigrationProgress` hears how a migration is going.
 */
export async function openRunStore(target: DatabaseTarget, existing?: Store, onMigrationProgress?: MigrationProgress): Promise<RunStore> {
  const store = existing ?? (await openDatabase(target, { cacheBytes: WRITER_CACHE_BYTES, onMigrationProgress }));
  return {
    dialect: store.dialect,
    db: store.db,
    writer: createRunWriter(store),
    optimize: () => {
      if (store.dialect === 'sqlite') optimizeSqlite(store.sqlite);
    },
    close: existing ? async () => {} : () => store.close(),
  };
}
