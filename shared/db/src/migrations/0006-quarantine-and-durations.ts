import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Quarantine and recorded durations (issue 16):
 * - `results.quarantined`: 1 when the reporter said the test was quarantined when it ran, null
 *   otherwise (a nullable column with no default: free to add, nothing written for other results);
 * - `quarantine`: the current entries, one per (project, node id); `passes` counts the consecutive
 *   passes of an automatic entry since it was quarantined;
 * - `quarantine_history`: every quarantine and release with who, when and why; also the outbox
 *   ingest announces on `<stream>:events` in id order;
 * - `test_durations` / `file_durations`: the exponentially weighted mean duration of each test and
 *   test file of a project over its passing runs, and when it last changed;
 * - `fold_cursors` / `folded_runs`: what ingest's housekeeping already folded (durations, the
 *   quarantine policy), keyed by run, so no run is counted twice.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'sqlite' ? sql`integer primary key autoincrement` : sql`serial primary key`;
  const bigint = dialect === 'sqlite' ? 'integer' : 'bigint';
  const real = dialect === 'sqlite' ? 'real' : 'double precision';
  const withoutRowid = dialect === 'sqlite' ? sql`without rowid` : sql``;

  await db.schema.alterTable('results').addColumn('quarantined', 'integer').execute();

  await db.schema
    .createTable('quarantine')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('nodeid', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('since', bigint, (c) => c.notNull())
    .addColumn('expires_at', bigint)
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('passes', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('quarantine_pk', ['project', 'nodeid'])
    .modifyEnd(withoutRowid)
    .execute();
  await db.schema.createIndex('quarantine_expires').on('quarantine').column('expires_at').where(sql.ref('expires_at'), 'is not', null).execute();

  await db.schema
    .createTable('quarantine_history')
    .addColumn('id', sql`${id}` as never)
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('nodeid', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', bigint, (c) => c.notNull())
    .addColumn('expires_at', bigint)
    .execute();
  await db.schema.createIndex('quarantine_history_project').on('quarantine_history').columns(['project', 'id']).execute();
  await db.schema.createIndex('quarantine_history_test').on('quarantine_history').columns(['project', 'nodeid', 'id']).execute();

  // Keyed by what never changes, and no other index: a fold updates rows in place, moving no index entry.
  await db.schema
    .createTable('test_durations')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('test_id', 'integer', (c) => c.notNull())
    .addColumn('seconds', real, (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('updated_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('test_durations_pk', ['project', 'test_id'])
    .modifyEnd(withoutRowid)
    .execute();

  await db.schema
    .createTable('file_durations')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('seconds', real, (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('updated_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('file_durations_pk', ['project', 'file'])
    .modifyEnd(withoutRowid)
    .execute();

  await db.schema
    .createTable('fold_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('folded_runs')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('run_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('folded_runs_pk', ['name', 'run_id'])
    .modifyEnd(withoutRowid)
    .execute();
}
