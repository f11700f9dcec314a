import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, parseDatabaseUrl } from '@pytest-platform/db';

/** What `pytest-platform-admin backup` did. */
export interface Backup {
  source: string;
  destination: string;
  pages: number;
}

/**
 * Copies the SQLite database `DATABASE_URL` names to `destination` with `VACUUM INTO`: one read
 * transaction, so the copy is a consistent snapshot and ingest and the API keep running (the
 * page-by-page online backup API restarts whenever another connection writes, and never finishes
 * under steady ingest). Written to a temporary file and renamed, so `destination` is never a
 * partial copy. Postgres has its own tools (pg_dump).
 */
export async function backupDatabase(destination: string, databaseUrl: string | undefined): Promise<Backup> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.dialect !== 'sqlite') throw new Error('DATABASE_URL is Postgres: back it up with pg_dump');
  if (target.filename === ':memory:' || !existsSync(target.filename)) throw new Error(`no SQLite database at ${target.filename}`);
  const destinationPath = path.resolve(destination);
  if (destinationPath === path.resolve(target.filename)) throw new Error('the backup file must not be the database itself');
  const store = await openDatabase(target, { readonly: true });
  if (store.dialect !== 'sqlite') throw new Error('expected SQLite');
  const partial = `${destinationPath}.partial`;
  try {
    rmSync(partial, { force: true });
    store.sqlite.prepare('VACUUM INTO ?').run(partial);
    const pages = Math.round(statSync(partial).size / (store.sqlite.pragma('page_size', { simple: true }) as number));
    renameSync(partial, destinationPath);
    return { source: target.filename, destination: destinationPath, pages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await store.close();
  }
}
