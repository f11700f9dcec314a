import { sql } from 'kysely';
import type { PublishedDurations } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import type { Dialect } from '../dialect.js';
import type { FoldRun } from './fold.repository.js';
import { iso } from './run-mapper.js';

/**
 * The weight of a new passing run in a recorded duration: `new = old + 0.3 × (run − old)`, an
 * exponentially weighted mean in which a run's weight halves about every two runs after it.
 */
export const DURATION_WEIGHT = 0.3;

/** Tests (and files) in one published durations value: the most recently updated ones. */
export const PUBLISHED_DURATIONS_CAP = 50_000;

/** Seconds as published: microseconds are the finest a runner reports. */
const rounded = (seconds: number) => Math.round(seconds * 1e6) / 1e6;

/**
 * Folds runs (oldest first) into the recorded durations of their projects: each test that passed
 * contributes its duration; each file the sum of its passed tests' durations in that run (a test's
 * file is its `file`, else its node id up to `::`). The first sample is taken as is, later ones
 * weighted by {@link DURATION_WEIGHT}. Two statements per run that read and write inside the
 * database, so a fold costs a fraction of storing the run. Runs inside the fold's transaction.
 */
export async function foldRunDurations(trx: Db, runs: readonly FoldRun[], dialect: Dialect): Promise<void> {
  const separator = dialect === 'sqlite' ? sql`instr(t.nodeid, '::')` : sql`strpos(t.nodeid, '::')`;
  const file = sql`coalesce(t.file, CASE WHEN ${separator} > 0 THEN substr(t.nodeid, 1, ${separator} - 1) END)`;
  for (const run of runs) {
    await sql`
      INSERT INTO test_durations (project, test_id, seconds, samples, updated_at)
      SELECT CAST(${run.project} AS text), r.test_id, r.duration, 1, CAST(${run.started_at} AS bigint) FROM results r WHERE r.run_id = ${run.id} AND r.outcome = 'passed'
      ON CONFLICT (project, test_id) DO UPDATE SET ${weighted('test_durations')}`.execute(trx);
    await sql`
      INSERT INTO file_durations (project, file, seconds, samples, updated_at)
      SELECT CAST(${run.project} AS text), f.file, sum(f.duration), 1, CAST(${run.started_at} AS bigint)
      FROM (SELECT ${file} AS file, r.duration FROM results r JOIN tests t ON t.id = r.test_id WHERE r.run_id = ${run.id} AND r.outcome = 'passed') AS f
      WHERE f.file IS NOT NULL GROUP BY f.file
      ON CONFLICT (project, file) DO UPDATE SET ${weighted('file_durations')}`.execute(trx);
  }
}

/** The upsert of one more sample into `table`: the weighted mean, one more sample, the later time. */
function weighted(table: 'test_durations' | 'file_durations') {
  const t = sql.table(table);
  return sql`seconds = ${t}.seconds + ${sql.lit(DURATION_WEIGHT)} * (excluded.seconds - ${t}.seconds), samples = ${t}.samples + 1,
    updated_at = CASE WHEN excluded.updated_at > ${t}.updated_at THEN excluded.updated_at ELSE ${t}.updated_at END`;
}

/** What is published for the reporters at `{stream}:durations:{project}`: the `cap` most recently updated tests and files. */
export async function publishedDurations(db: Db, project: string, now: number, cap = PUBLISHED_DURATIONS_CAP): Promise<PublishedDurations> {
  const [tests, files] = await Promise.all([
    db
      .selectFrom('test_durations')
      .innerJoin('tests', 'tests.id', 'test_durations.test_id')
      .select(['tests.nodeid', 'test_durations.seconds'])
      .where('test_durations.project', '=', project)
      .orderBy('test_durations.updated_at', 'desc')
      .orderBy('test_durations.test_id', 'desc')
      .limit(cap)
      .execute(),
    db
      .selectFrom('file_durations')
      .select(['file', 'seconds'])
      .where('project', '=', project)
      .orderBy('updated_at', 'desc')
      .orderBy('file')
      .limit(cap)
      .execute(),
  ]);
  return {
    project,
    updated_at: iso(now),
    tests: Object.fromEntries(tests.map((t) => [t.nodeid, rounded(t.seconds)])),
    files: Object.fromEntries(files.map((f) => [f.file, rounded(f.seconds)])),
  };
}

/** Projects with recorded durations. */
export async function projectsWithDurations(db: Db): Promise<string[]> {
  return (await db.selectFrom('test_durations').select('project').distinct().orderBy('project').execute()).map((r) => r.project);
}
