import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/** What `pytest-platform backup` did. */
export interface Backup {
  source: string;
  destination: string;
  pages: number;
}

/**
 * Copies the SQLite database `DATABASE_URL` names to `destination` with SQLite's online backup
 * (better-sqlite3 `.backup()`): ingest and the API keep running. Written to a temporary file and
 * renamed, so `destination` is never a partial copy. Postgres has its own tools (pg_dump).
 */
export async function backupDatabase(destination: string, databaseUrl: string | undefined): Promise<Backup> {
  // Loaded here so reporters that never back up do not load the database drivers.
  const { openDatabase, parseDatabaseUrl } = await import('@pytest-platform/db');
  const target = parseDatabaseUrl(databaseUrl);
  if (target.dialect !== 'sqlite') throw new Error('DATABASE_URL is Postgres: back it up with pg_dump');
  if (target.filename === ':memory:' || !existsSync(target.filename)) throw new Error(`no SQLite database at ${target.filename}`);
  const destinationPath = path.resolve(destination);
  if (destinationPath === path.resolve(target.filename)) throw new Error('the backup file must not be the database itself');
  const store = await openDatabase(target, { readonly: true });
  if (store.dialect !== 'sqlite') throw new Error('expected SQLite');
  const partial = `${destinationPath}.partial`;
  try {
    const progress = await store.sqlite.backup(partial);
    renameSync(partial, destinationPath);
    return { source: target.filename, destination: destinationPath, pages: progress.totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await store.close();
  }
}
