import { createRunWriter, openDatabase, optimizeSqlite, type DatabaseTarget, type Db, type RunWriter, type Store } from '@pytest-platform/db';

/** Where ingest writes: the run writer for the dialect, and Kysely for housekeeping queries. */
export interface RunStore {
  dialect: Store['dialect'];
  db: Db;
  writer: RunWriter;
  /** Refreshes the planner's statistics (SQLite `PRAGMA optimize`; Postgres does this itself). */
  optimize(): void;
  close(): Promise<void>;
}

/** Opens (and migrates) the store `target` names, or uses `existing`, which the caller keeps and closes. */
export async function openRunStore(target: DatabaseTarget, existing?: Store): Promise<RunStore> {
  const store = existing ?? (await openDatabase(target));
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
