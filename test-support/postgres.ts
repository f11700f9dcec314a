import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The Postgres server tests may create databases on. `npm test` sets PG_TEST_URL after making sure
 * a server answers; the default is a local server with trust auth.
 */
export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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
