import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Runs, interned tests, results keyed by (run, test), workers. Indexes grow at the end (run id, time)
 * or are partial (failures, running runs): random-position indexes are what slow ingest.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'sqlite' ? sql`integer primary key autoincrement` : sql`serial primary key`;
  const bigint = dialect === 'sqlite' ? 'integer' : 'bigint';

  await db.schema
    .createTable('runs')
    .addColumn('id', sql`${id}` as never)
    .addColumn('run_id', 'text', (c) => c.notNull().unique())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('branch', 'text')
    .addColumn('commit_sha', 'text')
    .addColumn('worker_id', 'text', (c) => c.notNull())
    .addColumn('framework', 'text', (c) => c.notNull())
    .addColumn('framework_version', 'text')
    .addColumn('started_at', bigint, (c) => c.notNull())
    .addColumn('finished_at', bigint)
    .addColumn('duration', 'double precision')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('passed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('xfailed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('xpassed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flaky', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('summary_final', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('environment', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('last_seen_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_project_branch_started').on('runs').columns(['project', 'branch', 'started_at']).execute();
  await db.schema.createIndex('runs_started').on('runs').column('started_at').execute();
  await db.schema.createIndex('runs_worker_started').on('runs').columns(['worker_id', 'started_at']).execute();
  await db.schema.createIndex('runs_running').on('runs').column('last_seen_at').where(sql.ref('status'), '=', 'running').execute();

  await db.schema
    .createTable('tests')
    .addColumn('id', sql`${id}` as never)
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('nodeid', 'text', (c) => c.notNull())
    .addColumn('file', 'text')
    .addColumn('line', 'integer')
    .addUniqueConstraint('tests_project_nodeid', ['project', 'nodeid'])
    .execute();

  let results = db.schema
    .createTable('results')
    .addColumn('run_id', 'integer', (c) => c.notNull())
    .addColumn('test_id', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('duration', 'double precision', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('longrepr', 'text')
    .addPrimaryKeyConstraint('results_pk', ['run_id', 'test_id']);
  if (dialect === 'sqlite') results = results.modifyEnd(sql`without rowid`);
  await results.execute();
  await db.schema
    .createIndex('results_failures')
    .on('results')
    .columns(['test_id', 'run_id'])
    .where(sql.ref('outcome'), 'in', ['failed', 'error'])
    .execute();

  await db.schema
    .createTable('workers')
    .addColumn('worker_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seen_at', bigint, (c) => c.notNull())
    .addColumn('last_run_id', 'text')
    .addColumn('project', 'text')
    .addColumn('branch', 'text')
    .execute();
}
