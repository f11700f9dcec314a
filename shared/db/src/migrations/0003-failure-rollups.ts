import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Per-day rollups that ingest keeps up to date in the same transaction as the results, so the
 * window aggregations (/failures/stats, /failures/groups, get_report) read a few rows per test and
 * day instead of every failure of the window:
 * - `test_days`: how many runs of a day (project, branch) ran each test, the failure-rate denominator;
 * - `failure_days`: failures per test and signature of a day, with first/last time and the last run.
 * `day` is the UTC day of the run's start (`started_at / 86,400,000`); a null branch is stored as ''.
 * Also a covering index for the per-worker counts of /workers (one row per run: cheap to keep).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bigint = dialect === 'sqlite' ? 'integer' : 'bigint';
  const withoutRowid = dialect === 'sqlite' ? sql`without rowid` : sql``;

  await db.schema
    .createTable('test_days')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('test_id', 'integer', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('runs', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_days_pk', ['project', 'test_id', 'day', 'branch'])
    .modifyEnd(withoutRowid)
    .execute();

  await db.schema
    .createTable('failure_days')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('branch', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('test_id', 'integer', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_at', bigint, (c) => c.notNull())
    .addColumn('last_at', bigint, (c) => c.notNull())
    .addColumn('last_run', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('failure_days_pk', ['project', 'day', 'branch', 'signature', 'test_id'])
    .modifyEnd(withoutRowid)
    .execute();

  // /workers counts each worker's runs of the last 24 hours from this index alone.
  // It starts with started_at, so it also serves everything `runs_started` did.
  await db.schema.createIndex('runs_started_worker_counts').on('runs').columns(['started_at', 'worker_id', 'passed', 'failed', 'errors']).execute();
  await db.schema.dropIndex('runs_started').execute();

  // Backfill from what is stored; from here on the run writers keep both tables current.
  await sql`
    INSERT INTO test_days (project, test_id, day, branch, runs)
    SELECT runs.project, results.test_id, runs.started_at / 86400000, coalesce(runs.branch, ''), count(*)
    FROM results JOIN runs ON runs.id = results.run_id
    GROUP BY runs.project, results.test_id, runs.started_at / 86400000, coalesce(runs.branch, '')`.execute(db);
  await sql`
    INSERT INTO failure_days (project, day, branch, signature, test_id, failures, first_at, last_at, last_run)
    SELECT runs.project, runs.started_at / 86400000, coalesce(runs.branch, ''), coalesce(results.signature, ''), results.test_id,
           count(*), min(runs.started_at), max(runs.started_at), max(runs.id)
    FROM results JOIN runs ON runs.id = results.run_id
    WHERE results.outcome IN ('failed', 'error')
    GROUP BY runs.project, runs.started_at / 86400000, coalesce(runs.branch, ''), coalesce(results.signature, ''), results.test_id`.execute(db);
}
