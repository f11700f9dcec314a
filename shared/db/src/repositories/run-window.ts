import type { Outcome } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { RunDigest } from '../run-digest.js';

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
  let query = windowRuns(db, q).select(['id', 'run_id', 'branch', 'commit_sha', 'worker_id', 'started_at']);
  const before = q.before;
  if (before) {
    query = query.where((eb) => eb.or([eb('started_at', '<', before.started_at), eb.and([eb('started_at', '=', before.started_at), eb('id', '<', before.id)])]));
  }
  return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

/** How many runs {@link newestRuns} would answer with (`before` aside), counted on the runs index alone. */
export async function countNewestRuns(db: Db, q: Omit<WindowQuery, 'before'>): Promise<number> {
  const row = await db
    .selectFrom(windowRuns(db, q).select('id').limit(q.limit).as('w'))
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The runs of a window's project and branch. */
function windowRuns(db: Db, q: Omit<WindowQuery, 'before' | 'limit'>) {
  let query = db.selectFrom('runs').where('project', '=', q.project);
  if (q.branch !== undefined) query = q.branch === null ? query.where('branch', 'is', null) : query.where('branch', '=', q.branch);
  if (q.finishedOnly) query = query.where('status', '!=', 'running');
  return query;
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

/** The stored digests of the given runs (a run without results has none), a chunk of runs per query. */
export async function runDigests(db: Db, runIds: readonly number[]): Promise<Map<number, RunDigest>> {
  const out = new Map<number, RunDigest>();
  for (const runChunk of chunks(runIds)) {
    const rows = await db.selectFrom('run_digests').select(['run_id', 'tests']).where('run_id', 'in', runChunk).execute();
    for (const row of rows) out.set(row.run_id, new RunDigest(row.tests));
  }
  return out;
}

/**
 * The results of `testIds` (every test when omitted) in `runIds`, in (run, test) order, read from the
 * runs' digests: one row per run instead of one primary-key look-up per result.
 */
export async function probeResults(db: Db, runIds: readonly number[], testIds?: readonly number[]): Promise<ProbedResult[]> {
  if (runIds.length === 0 || testIds?.length === 0) return [];
  const wanted = testIds === undefined ? undefined : ascendingIds(testIds);
  const digests = await runDigests(db, runIds);
  const out: ProbedResult[] = [];
  for (const runId of [...digests.keys()].sort((a, b) => a - b)) {
    const digest = digests.get(runId)!;
    const push = (i: number) =>
      out.push({ run_id: runId, test_id: digest.testId(i), outcome: digest.outcome(i), attempts: digest.attempts(i), duration: digest.duration(i) });
    if (wanted !== undefined) digest.forEachOf(wanted, push);
    else for (let i = 0; i < digest.size; i++) push(i);
  }
  return out;
}

/** Distinct ids in ascending order, as {@link RunDigest.forEachOf} takes them. */
export const ascendingIds = (ids: Iterable<number>): number[] => [...new Set(ids)].sort((a, b) => a - b);

/** Node ids (and files) of interned tests. */
export async function testsById(db: Db, ids: readonly number[]): Promise<Map<number, { nodeid: string; file: string | null }>> {
  const map = new Map<number, { nodeid: string; file: string | null }>();
  for (const chunk of chunks([...new Set(ids)])) {
    const rows = await db.selectFrom('tests').select(['id', 'nodeid', 'file']).where('id', 'in', chunk).execute();
    for (const r of rows) map.set(r.id, { nodeid: r.nodeid, file: r.file });
  }
  return map;
}
