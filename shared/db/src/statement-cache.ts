import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Prepared statements kept per SQL text: enough for every query shape the repositories build. */
const MAX_STATEMENTS = 500;

/**
 * The database as Kysely's SQLite dialect sees it, with prepared statements reused by SQL text.
 * Kysely prepares every query it runs; parsing and planning the SQL again each time costs more than
 * running most of our reads. Safe because the dialect runs one query at a time on its connection.
 */
export function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
      } else {
        statements.delete(sql);
      }
      statements.set(sql, statement);
      return statement;
    },
  } as KyselySqliteDatabase;
}
