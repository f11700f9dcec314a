import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Statements {@link reusingStatements} keeps, the most recently used. */
const KEPT_STATEMENTS = 500;

/**
 * The connection as Kysely's SQLite driver sees it, with each statement prepared once: the driver
 * prepares every query it runs, and the read routes run the same few hundred SQL texts again and
 * again (preparing was ~0.1 ms of an API request). A kept statement is reused unless it is still
 * iterating (a streamed query); SQLite prepares it again by itself when the schema has changed.
 */
export function reusingStatements(sqlite: SqliteDatabase.Database, keep = KEPT_STATEMENTS): KyselySqliteDatabase {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text) {
      let statement = kept.get(text);
      if (statement !== undefined && !statement.busy) {
        // Most recently used last: the first key is the one to drop.
        kept.delete(text);
        kept.set(text, statement);
        return statement;
      }
      statement = sqlite.prepare(text);
      kept.set(text, statement);
      if (kept.size > keep) kept.delete(kept.keys().next().value!);
      return statement;
    },
  };
}
