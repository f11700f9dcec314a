import type { StreamEntry } from '@pytest-platform/schema';
import { createSqliteRunWriter, openDatabase, type DatabaseTarget, type Db, type StoredRun, type Store } from '@pytest-platform/db';

/** Writes a batch of entries in one transaction, all or nothing; a server-based dialect may answer asynchronously. */
export interface BatchWriter {
  write(entries: readonly StreamEntry[], now: number): StoredRun[] | Promise<StoredRun[]>;
}

/** Where ingest writes: the batch writer for the dialect, and Kysely for housekeeping queries. */
export interface RunStore {
  dialect: Store['dialect'];
  db: Db;
  writer: BatchWriter;
  close(): Promise<void>;
}

type Dialect = Store['dialect'];
type WriterFactory<D extends Dialect> = (store: Extract<Store, { dialect: D }>) => BatchWriter;

/** The write path per dialect; a dialect without one cannot be ingested into yet. */
const writerFactories: { [D in Dialect]?: WriterFactory<D> } = {
  sqlite: (store) => createSqliteRunWriter(store.sqlite),
};

export class UnsupportedStoreError extends Error {
  override readonly name = 'UnsupportedStoreError';
}

function writerFactory(dialect: Dialect): WriterFactory<Dialect> {
  const factory = writerFactories[dialect] as WriterFactory<Dialect> | undefined;
  if (factory) return factory;
  throw new UnsupportedStoreError(
    `DATABASE_URL points at ${dialect}, but ingest has no ${dialect} write path yet; use a SQLite file such as ./data/pytest-platform.sqlite`,
  );
}

/** Opens (and migrates) the store `target` names, or uses `existing`, which the caller keeps and closes. */
export async function openRunStore(target: DatabaseTarget, existing?: Store): Promise<RunStore> {
  const factory = writerFactory(existing?.dialect ?? target.dialect);
  const store = existing ?? (await openDatabase(target));
  return {
    dialect: store.dialect,
    db: store.db,
    writer: factory(store),
    close: existing ? async () => {} : () => store.close(),
  };
}
