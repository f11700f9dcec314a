import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The Postgres server tests may create databases on. `npm test` sets PG_TEST_URL after making sure
 * a server answers; the default is a local server with trust auth.
 */
const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A new empty database for one test file; `drop` removes it. */
export async function createTempPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_TEST_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Which store the suite runs on: `TEST_DATABASE=postgres` moves every service test to Postgres. */
export const testDialect = (): 'sqlite' | 'postgres' => (process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite');

/**
 * A fresh store for one test: a SQLite file in `dir`, or a new Postgres database when
 * `TEST_DATABASE=postgres`. `drop` removes the Postgres database (the caller removes `dir`).
 */
export async function testDatabaseUrl(dir: string, file = 'test.sqlite'): Promise<{ url: string; drop(): Promise<void> }> {
  if (testDialect() === 'postgres') return createTempPostgres();
  return { url: `${dir.replace(/\/$/, '')}/${file}`, drop: async () => {} };
}
