import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Builds and tags (RunResult `build_id`, `shard`, test `tags`):
 * - `runs.build_id`, `runs.shard`, and a partial index of runs by (build_id, project): a build's runs
 *   are an equality look-up with or without the project (`/builds/{id}`, `/results?build_id=`);
 * - `builds`: one row per (project, build_id) with its first start, kept by the run writers, so
 *   `/builds` pages newest first down an index instead of grouping every run of the project;
 * - `results.tags`: the JSON array of a result's tags, null when it has none (untagged results pay nothing);
 * - `test_tags`: every (tag, project, test) a stored result carried, so `tag=` filters across runs
 *   are a range of the primary key. Written once per new pair; like `tests`, never deleted.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const id = dialect === 'sqlite' ? sql`integer primary key autoincrement` : sql`serial primary key`;
  const bigint = dialect === 'sqlite' ? 'integer' : 'bigint';
  const withoutRowid = dialect === 'sqlite' ? sql`without rowid` : sql``;

  await db.schema.alterTable('runs').addColumn('build_id', 'text').execute();
  await db.schema.alterTable('runs').addColumn('shard', 'text').execute();
  await db.schema
    .createIndex('runs_build')
    .on('runs')
    .columns(['build_id', 'project', 'started_at'])
    .where(sql.ref('build_id'), 'is not', null)
    .execute();

  await db.schema
    .createTable('builds')
    .addColumn('id', sql`${id}` as never)
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('build_id', 'text', (c) => c.notNull())
    .addColumn('branch', 'text')
    .addColumn('commit_sha', 'text')
    .addColumn('started_at', bigint, (c) => c.notNull())
    .addUniqueConstraint('builds_project_build', ['project', 'build_id'])
    .execute();
  await db.schema.createIndex('builds_project_started').on('builds').columns(['project', 'started_at', 'id']).execute();
  await db.schema.createIndex('builds_project_branch_started').on('builds').columns(['project', 'branch', 'started_at', 'id']).execute();
  await db.schema.createIndex('builds_started').on('builds').columns(['started_at', 'id']).execute();

  await db.schema.alterTable('results').addColumn('tags', 'text').execute();
  await db.schema
    .createTable('test_tags')
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('test_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_tags_pk', ['tag', 'project', 'test_id'])
    .modifyEnd(withoutRowid)
    .execute();
}
