import { sql, type RawBuilder } from 'kysely';
import type { Outcome } from '@pytest-platform/schema';
import type { Db } from '../database.js';

/** One run of a window, as the intelligence queries need it. */
export interface WindowRun {
  id: number;
  run_id: string;
  branch: string | null;
  commit_sha: string | null;
  worker_id: string;
  started_at: number;
}

export interface WindowQuery {
  project: string;
  /** `undefined`: every branch; `null`: runs without a branch. */
  branch?: string | null | undefined;
  limit: number;
  /** Leave out runs still `running`. @defaultValue false */
  finishedOnly?: boolean;
  /** Only runs strictly before this one in (started_at, id) order. */
  before?: { started_at: number; id: number } | undefined;
}

/**
 * The newest runs of a project (one branch or all), newest first: a walk down the
 * (project, branch, started_at) or (project, started_at) index, bounded by `limit`.
 */
export async function newestRuns(db: Db, q: WindowQuery): Promise<WindowRun[]> {
  let query = db
    .selectFrom('runs')
    .select(['id', 'run_id', 'branch', 'commit_sha', 'worker_id', 'started_at'])
    .where('project', '=', q.project);
  if (q.branch !== undefined) query = q.branch === null ? query.where('branch', 'is', null) : query.where('branch', '=', q.branch);
  if (q.finishedOnly) query = query.where('status', '!=', 'running');
  const before = q.before;
  if (before) {
    query = query.where((eb) => eb.or([eb('started_at', '<', before.started_at), eb.and([eb('started_at', '=', before.started_at), eb('id', '<', before.id)])]));
  }
  return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

export interface ProbedResult {
  run_id: number;
  test_id: number;
  outcome: Outcome;
  attempts: number;
  duration: number;
}

const CHUNK = 500;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Point look-ups of the results of `testIds` in `runIds` by primary key (run, test); no other index involved. */
export async function probeResults(db: Db, runIds: readonly number[], testIds: readonly number[]): Promise<ProbedResult[]> {
  if (runIds.length === 0 || testIds.length === 0) return [];
  const out: ProbedResult[] = [];
  for (const runChunk of chunks(runIds)) {
    for (const testChunk of chunks(testIds)) {
      const rows = await db
        .selectFrom('results')
        .select(['run_id', 'test_id', 'outcome', 'attempts', 'duration'])
        .where('run_id', 'in', runChunk)
        .where('test_id', 'in', testChunk)
        .execute();
      out.push(...rows);
    }
  }
  return out;
}

/** (run, test) pairs of the given runs whose results match `predicate`, a chunk of runs per query. */
async function resultsIn(db: Db, runIds: readonly number[], predicate: RawBuilder<boolean>): Promise<{ run_id: number; test_id: number }[]> {
  const out: { run_id: number; test_id: number }[] = [];
  for (const runChunk of chunks(runIds)) {
    out.push(...(await db.selectFrom('results').select(['run_id', 'test_id']).where('run_id', 'in', runChunk).where(predicate).execute()));
  }
  return out;
}

/** Failed and error results of the given runs, through the partial index on failures (a literal predicate, so the planner can use it). */
export const failuresIn = (db: Db, runIds: readonly number[]) => resultsIn(db, runIds, sql<boolean>`outcome in ('failed', 'error')`);

/** Results that passed after retries in the given runs, through the partial index on `attempts > 1`. */
export const retriedIn = (db: Db, runIds: readonly number[]) => resultsIn(db, runIds, sql<boolean>`attempts > 1 and outcome = 'passed'`);

/** Node ids (and files) of interned tests. */
export async function testsById(db: Db, ids: readonly number[]): Promise<Map<number, { nodeid: string; file: string | null }>> {
  const map = new Map<number, { nodeid: string; file: string | null }>();
  for (const chunk of chunks([...new Set(ids)])) {
    const rows = await db.selectFrom('tests').select(['id', 'nodeid', 'file']).where('id', 'in', chunk).execute();
    for (const r of rows) map.set(r.id, { nodeid: r.nodeid, file: r.file });
  }
  return map;
}
