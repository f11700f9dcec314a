import { sql, type Kysely } from 'kysely';
import { failureSignature } from '../intelligence/failure-signature.js';
import type { Dialect } from '../dialect.js';

const BACKFILL_BATCH = 2_000;

/**
 * Test intelligence: a failure signature on failed and error results (set by ingest, only failures
 * pay), a runs index by (project, started_at) for project-wide windows, and two partial indexes that
 * grow at the end: failures by (run, signature) and retried results by run.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('results').addColumn('signature', 'text').execute();
  await db.schema.createIndex('runs_project_started').on('runs').columns(['project', 'started_at']).execute();
  await db.schema
    .createIndex('results_failure_signatures')
    .on('results')
    .columns(['run_id', 'signature', 'test_id'])
    .where(sql.ref('outcome'), 'in', ['failed', 'error'])
    .execute();
  await db.schema
    .createIndex('results_retried')
    .on('results')
    .columns(['run_id', 'test_id'])
    .where(sql.ref('attempts'), '>', 1)
    .execute();
  await backfillSignatures(db, dialect);
}

async function backfillSignatures(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  let after = { run: -1, test: -1 };
  for (;;) {
    const { rows } = await sql<{ run_id: number; test_id: number; message: string | null; longrepr: string | null }>`
      SELECT run_id, test_id, message, longrepr FROM results
      WHERE outcome IN ('failed', 'error') AND (run_id > ${after.run} OR (run_id = ${after.run} AND test_id > ${after.test}))
      ORDER BY run_id, test_id LIMIT ${BACKFILL_BATCH}`.execute(db);
    if (rows.length === 0) return;
    const values = rows.map((r) => sql`(${r.run_id}, ${r.test_id}, ${failureSignature(r.message, r.longrepr)})`);
    const cast = dialect === 'postgres' ? sql`::integer` : sql``;
    await sql`
      WITH v(run_id, test_id, signature) AS (VALUES ${sql.join(values)})
      UPDATE results SET signature = (SELECT v.signature FROM v WHERE v.run_id${cast} = results.run_id AND v.test_id${cast} = results.test_id)
      WHERE outcome IN ('failed', 'error') AND (run_id, test_id) IN (SELECT run_id${cast}, test_id${cast} FROM v)`.execute(db);
    const last = rows.at(-1)!;
    after = { run: last.run_id, test: last.test_id };
  }
}
