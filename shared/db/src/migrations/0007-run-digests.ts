import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { PROGRESS_EVERY_MS, type MigrationProgress } from '../migration-progress.js';
import { encodeRunDigest, type DigestResult } from '../run-digest.js';

/** Runs whose digests one backfill step builds: a range of run ids, read in key order. */
const STEP = 200;

/**
 * `run_digests`: every result of a run in one value (see `RunDigestTable`), kept by the run writers
 * from now on and built here for the runs already stored, a range of runs at a time.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect, progress: MigrationProgress): Promise<void> {
  await db.schema
    .createTable('run_digests')
    .addColumn('run_id', 'integer', (c) => c.primaryKey())
    .addColumn('tests', dialect === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
    .execute();

  const { rows: [count] } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM runs`.execute(db);
  const total = Number(count?.n ?? 0);
  const began = Date.now();
  let said = began;
  for (let after = -1, done = 0; ; done += STEP) {
    if (Date.now() - said >= PROGRESS_EVERY_MS) {
      said = Date.now();
      const runs = Math.min(done, total);
      progress(`building run digests: ${runs.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} runs`, {
        migration: '0007-run-digests', runs, total, seconds: Math.round((said - began) / 1000),
      });
    }
    const { rows: runs } = await sql<{ id: number }>`SELECT id FROM runs WHERE id > ${after} ORDER BY id LIMIT ${STEP}`.execute(db);
    if (runs.length === 0) return;
    const first = runs[0]!.id;
    after = runs.at(-1)!.id;
    const { rows } = await sql<{ run_id: number; test_id: number } & DigestResult>`
      SELECT run_id, test_id, outcome, attempts, duration FROM results WHERE run_id BETWEEN ${first} AND ${after}`.execute(db);
    const byRun = new Map<number, Map<number, DigestResult>>();
    for (const r of rows) {
      let tests = byRun.get(r.run_id);
      if (tests === undefined) {
        tests = new Map();
        byRun.set(r.run_id, tests);
      }
      tests.set(r.test_id, r);
    }
    if (byRun.size === 0) continue;
    const values = [...byRun].map(([runId, tests]) => sql`(${runId}, ${encodeRunDigest(tests)})`);
    await sql`INSERT INTO run_digests (run_id, tests) VALUES ${sql.join(values)}`.execute(db);
  }
}
