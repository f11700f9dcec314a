import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database.js';
import { parseDatabaseUrl, type DatabaseTarget } from '@pytest-platform/config';
import { migrateToLatest, type MigrationProgress } from './migrate.js';
import { PROGRESS_EVERY_MS } from './migration-progress.js';
import { reusingStatements } from './reusing-statements.js';

export type Store =
  | { dialect: 'sqlite'; db: Db; sqlite: SqliteDatabase.Database; close(): Promise<void> }
  | { dialect: 'postgres'; db: Db; pool: pg.Pool; close(): Promise<void> };

export interface OpenOptions {
  /** Run migrations before returning. @defaultValue true */
  migrate?: boolean;
  /** Open SQLite read-only (no migrations). @defaultValue false */
  readonly?: boolean;
  /**
   * SQLite only: read the file through a memory map of up to this many bytes (`PRAGMA mmap_size`),
   * which halves the cost of the point look-ups the read routes make on a large store. Mapped pages
   * are the OS page cache, shared and reclaimable. @defaultValue 0 (off)
   */
  mmapBytes?: number;
  /**
   * SQLite only: the connection's page cache (`PRAGMA cache_size`), in bytes. A reader's cache holds
   * the pages its queries come back to; a writer's needs little more than the pages of one
   * transaction and the index pages it inserts into at random. @defaultValue 64 MiB
   */
  cacheBytes?: number;
  /**
   * Told which migration is applied and how far a long one got (every few seconds), and, on
   * SQLite, that another process holds the database while it migrates. @defaultValue silent
   */
  onMigrationProgress?: MigrationProgress;
  /**
   * Called when a Postgres connection fails, idle or checked out (server restart, admin
   * termination). The pool drops that connection and the next query opens a new one; without a
   * handler the error would crash the process. @defaultValue ignore
   */
  onPoolError?: (error: Error) => void;
}

// BIGINT counts and sums come back from pg as strings; every one of ours fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

function openSqlite(filename: string, readonly: boolean, mmapBytes: number, cacheBytes: number): SqliteDatabase.Database {
  if (filename !== ':memory:' && !readonly) mkdirSync(dirname(filename), { recursive: true });
  const sqlite = new SqliteDatabase(filename, { readonly, fileMustExist: readonly });
  sqlite.pragma('busy_timeout = 10000');
  if (!readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
  }
  sqlite.pragma(`cache_size = -${Math.max(1, Math.floor(cacheBytes / 1024))}`);
  sqlite.pragma('temp_store = MEMORY');
  if (mmapBytes > 0) sqlite.pragma(`mmap_size = ${Math.floor(mmapBytes)}`);
  return sqlite;
}

/** Opens the store `DATABASE_URL` names and brings its schema up to date. */
export async function openDatabase(url: string | DatabaseTarget | undefined, options: OpenOptions = {}): Promise<Store> {
  const target = typeof url === 'object' ? url : parseDatabaseUrl(url);
  let store: Store;
  if (target.dialect === 'sqlite') {
    const sqlite = openSqlite(target.filename, options.readonly ?? false, options.mmapBytes ?? 0, options.cacheBytes ?? 64 * 1024 * 1024);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(sqlite) }) });
    store = { dialect: 'sqlite', db, sqlite, close: () => db.destroy() };
  } else {
    const pool = new pg.Pool({ connectionString: target.connectionString, max: 10 });
    const onError = options.onPoolError ?? (() => {});
    pool.on('error', onError);
    // A checked-out connection the server ends between two queries (a restart, `pg_ctl stop -m fast`)
    // emits 'error' too, where the pool does not listen: without this the process would crash. Its
    // next query fails instead ("not queryable") and the pool discards it on release.
    pool.on('connect', (client) => client.on('error', onError));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    store = { dialect: 'postgres', db, pool, close: () => db.destroy() };
  }
  if (options.migrate ?? !options.readonly) {
    try {
      if (store.dialect === 'sqlite') await migrateSqliteExclusively(store, options.onMigrationProgress);
      else await migrateToLatest(store.db, store.dialect, options.onMigrationProgress);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  if (store.dialect === 'sqlite' && !options.readonly) optimizeSqlite(store.sqlite, true);
  return store;
}

/**
 * Keeps SQLite's planner statistics current, as SQLite recommends for long-lived connections
 * (`PRAGMA optimize`, sampled with `analysis_limit`; ~0.3 s on a 10M-result store, usually nothing).
 * Without statistics the planner picked whole-index scans for /workers on a large store. `atOpen`
 * also analyzes tables that never were; ingest calls it again every hour.
 */
export function optimizeSqlite(sqlite: SqliteDatabase.Database, atOpen = false): void {
  // Through the page cache, not the memory map: ANALYZE of a table walks all of it (measured: the
  // 164 MB of run digests on a 10M store), and through the map every page it reads stays in the
  // process's resident memory until the map is dropped (the API's peak RSS went 125 → 337 MB).
  const mapped = sqlite.pragma('mmap_size', { simple: true }) as number;
  if (mapped > 0) sqlite.pragma('mmap_size = 0');
  try {
    sqlite.pragma('analysis_limit = 1000');
    sqlite.pragma(atOpen ? 'optimize = 0x10002' : 'optimize');
  } finally {
    if (mapped > 0) sqlite.pragma(`mmap_size = ${mapped}`);
  }
}

/** How long an opener waits for another process's migration (a backfill takes ~45 s at 10M results). */
const MIGRATION_WAIT_MS = 10 * 60_000;

/**
 * Kysely takes no lock for SQLite migrations, so two openers of a fresh file (ingest and the API
 * under `npm start`, or two stores in one process) could both run them. The whole migration runs in
 * one IMMEDIATE transaction; a second opener polls for the write lock without blocking the event
 * loop (for as long as a backfill on a large store takes, saying so every few seconds), then finds
 * everything applied.
 */
async function migrateSqliteExclusively(store: Extract<Store, { dialect: 'sqlite' }>, progress?: MigrationProgress): Promise<void> {
  const busyTimeout = store.sqlite.pragma('busy_timeout', { simple: true }) as number;
  const began = Date.now();
  const deadline = began + Math.max(busyTimeout, MIGRATION_WAIT_MS);
  let said = began;
  store.sqlite.pragma('busy_timeout = 0');
  try {
    for (;;) {
      try {
        store.sqlite.exec('BEGIN IMMEDIATE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
        if (Date.now() - said >= PROGRESS_EVERY_MS) {
          said = Date.now();
          progress?.('waiting for the database: another process holds it (a migration in progress?)', { seconds: Math.round((said - began) / 1000) });
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  } finally {
    store.sqlite.pragma(`busy_timeout = ${busyTimeout}`);
  }
  try {
    await migrateToLatest(store.db, 'sqlite', progress);
    store.sqlite.exec('COMMIT');
  } catch (error) {
    if (store.sqlite.inTransaction) store.sqlite.exec('ROLLBACK');
    throw error;
  }
}
