import type { Store } from './open-database.js';
import { createPostgresRunWriter } from './postgres-run-writer.js';
import type { RunWriter } from './run-writer.js';
import { createSqliteRunWriter } from './sqlite-run-writer.js';

/** The ingest write path for the store's dialect: raw better-sqlite3 statements, or pg array statements. */
export function createRunWriter(store: Store): RunWriter {
  return store.dialect === 'postgres' ? createPostgresRunWriter(store.pool) : createSqliteRunWriter(store.sqlite);
}
