import SqliteDatabase from 'better-sqlite3';
import { failureSignature, openDatabase } from '@pytest-platform/db';
import type { RunResult } from '@pytest-platform/schema';

/** Writes `rows` with one prepared `insert`, 5,000 rows per transaction, and closes `db`. Rows per second. */
function timedInserts(db: SqliteDatabase.Database, insert: SqliteDatabase.Statement, rows: readonly unknown[][]): number {
  const writeSlice = db.transaction((slice: readonly unknown[][]) => {
    for (const row of slice) insert.run(...row);
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += 5_000) writeSlice(rows.slice(i, i + 5_000));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return rows.length / seconds;
}

/**
 * The ingest baseline: the same result rows written by one raw better-sqlite3 prepared statement
 * into an unindexed table, 5,000 rows per transaction, same pragmas as the store. Rows per second.
 */
export function measureRawBaseline(file: string, runs: readonly RunResult[]): number {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE raw (run_id INTEGER, test_id INTEGER, outcome TEXT, duration REAL, attempts INTEGER, message TEXT, longrepr TEXT)`);
  const rows: unknown[][] = [];
  runs.forEach((run, r) => run.tests.forEach((t, i) => rows.push([r, i, t.outcome, t.duration, t.attempts, t.message, t.longrepr])));
  return timedInserts(db, db.prepare('INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?, ?)'), rows);
}

/**
 * What the production `results` table itself allows: the same rows written the same way (one raw
 * prepared statement, 5,000 rows per transaction) into the migrated schema (clustered (run, test)
 * key, partial failure and retry indexes), with the signatures ingest would add. Nothing else of
 * ingest runs: no parsing, interning, run rows or rollups. Rows per second.
 */
export async function measureSchemaCeiling(file: string, runs: readonly RunResult[]): Promise<number> {
  await (await openDatabase(file)).close();
  const db = new SqliteDatabase(file);
  db.pragma('synchronous = FULL');
  const rows: unknown[][] = [];
  runs.forEach((run, r) => run.tests.forEach((t, i) => {
    const failed = t.outcome === 'failed' || t.outcome === 'error';
    rows.push([r + 1, i + 1, t.outcome, t.duration, t.attempts, t.message, t.longrepr, failed ? failureSignature(t.message, t.longrepr) : null]);
  }));
  const insert = db.prepare('INSERT INTO results (run_id, test_id, outcome, duration, attempts, message, longrepr, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  return timedInserts(db, insert, rows);
}
