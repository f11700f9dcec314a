import type { Store } from './open-database.js';
import { createPostgresRunWriter, type AsyncRunWriter } from './postgres-run-writer.js';
import { createSqliteRunWriter } from './sqlite-run-writer.js';

/** The ingest write path for the store's dialect: raw better-sqlite3 statements, or pg array statements. */
export function createRunWriter(store: Store): AsyncRunWriter {
  if (store.dialect === 'postgres') return createPostgresRunWriter(store.pool);
  const writer = createSqliteRunWriter(store.sqlite);
  return { write: async (entries, now) => writer.write(entries, now) };
}
