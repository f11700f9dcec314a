// The Postgres server the test suite creates its throwaway databases on.
import { spawnSync } from 'node:child_process';
import pg from 'pg';

async function canConnect(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * PG_TEST_URL when set; else the local server as `postgres` with trust auth; else, after giving the
 * `postgres` role a password through the local socket (a fresh Debian install asks for one over TCP),
 * with that password. Throws with what to do when none works.
 */
export async function ensurePostgres() {
  if (process.env.PG_TEST_URL) return process.env.PG_TEST_URL;
  const trust = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await canConnect(trust)) return trust;
  const withPassword = 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  if (await canConnect(withPassword)) return withPassword;
  spawnSync('su', ['postgres', '-c', `psql -q -c "ALTER USER postgres PASSWORD 'postgres'"`], { stdio: 'ignore' });
  if (await canConnect(withPassword)) return withPassword;
  throw new Error('no PostgreSQL answers on 127.0.0.1:5432 for user postgres; start one or set PG_TEST_URL=postgres://user:pass@host:port/db');
}
