import { sql } from 'kysely';
import type { Failure, Run, RunPage, StoredRunStatus } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { toRun } from './run-mapper.js';

export interface RunFilter {
  project?: string | undefined;
  branch?: string | undefined;
  worker_id?: string | undefined;
  /** Only the runs of this CI build. */
  build_id?: string | undefined;
  status?: StoredRunStatus | undefined;
  /** Unix ms, inclusive. */
  since?: number | undefined;
  /** Unix ms, exclusive. */
  until?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

type Cursor = { s: number; i: number };

export class InvalidCursorError extends Error {}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.s, c.i])).toString('base64url');

export function decodeCursor(value: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((n) => Number.isSafeInteger(n))) {
      return { s: parsed[0] as number, i: parsed[1] as number };
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}

/** A cursor past one key of a page ordered by that key alone: a test id, a project name, a worker id. */
export const encodeKeyCursor = (key: string | number) => Buffer.from(JSON.stringify([key])).toString('base64url');

export function decodeKeyCursor(value: string, kind: 'number'): number;
export function decodeKeyCursor(value: string, kind: 'string'): string;
export function decodeKeyCursor(value: string, kind: 'number' | 'string'): number | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    // fall through
  }
  if (Array.isArray(parsed) && parsed.length === 1) {
    const key: unknown = parsed[0];
    if (kind === 'number' ? Number.isSafeInteger(key) && (key as number) >= 0 : typeof key === 'string') return key as number | string;
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}

/** A page keyed by name: at most `limit` items after the cursor's. */
export interface KeyPageQuery {
  limit: number;
  cursor?: string | undefined;
}

/** Runs newest first, filtered, with keyset pagination on (started_at, id). */
export async function listRuns(db: Db, filter: RunFilter): Promise<RunPage> {
  let query = db.selectFrom('runs').selectAll();
  if (filter.project !== undefined) query = query.where('project', '=', filter.project);
  if (filter.branch !== undefined) query = query.where('branch', '=', filter.branch);
  if (filter.worker_id !== undefined) query = query.where('worker_id', '=', filter.worker_id);
  // `is not null` as well, so the planner sees the partial index on build_id applies.
  if (filter.build_id !== undefined) query = query.where('build_id', 'is not', null).where('build_id', '=', filter.build_id);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.since !== undefined) query = query.where('started_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('started_at', '<', filter.until);
  if (filter.cursor !== undefined) {
    const c = decodeCursor(filter.cursor);
    query = query.where((eb) => eb.or([eb('started_at', '<', c.s), eb.and([eb('started_at', '=', c.s), eb('id', '<', c.i)])]));
  }
  const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(toRun),
    next_cursor: rows.length > filter.limit && last ? encodeCursor({ s: last.started_at, i: last.id }) : null,
  };
}

export async function findRun(db: Db, runId: string): Promise<(Run & { pk: number }) | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row ? { ...toRun(row), pk: row.id } : undefined;
}

/** The newest run of a project (any branch when `branch` is undefined). */
export async function findLatestRun(db: Db, project?: string, branch?: string): Promise<Run | undefined> {
  let query = db.selectFrom('runs').selectAll();
  if (project !== undefined) query = query.where('project', '=', project);
  if (branch !== undefined) query = query.where('branch', '=', branch);
  const row = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

/** A run's failed and error tests, by node id. */
export async function listRunFailures(db: Db, runPk: number): Promise<Failure[]> {
  const rows = await db
    .selectFrom('results')
    .innerJoin('tests', 'tests.id', 'results.test_id')
    .select(['tests.nodeid', 'tests.file', 'tests.line', 'results.outcome', 'results.duration', 'results.attempts', 'results.message', 'results.longrepr'])
    .where('results.run_id', '=', runPk)
    .where('results.outcome', 'in', ['failed', 'error'])
    .orderBy('tests.nodeid')
    .execute();
  return rows.map((r) => ({ ...r, outcome: r.outcome as Failure['outcome'] }));
}

/**
 * Projects that have runs, in name order, a page at a time: a skip scan over the project index that
 * stops after `limit + 1` names, so a page costs the same however many projects there are.
 */
export async function listProjects(db: Db, page: KeyPageQuery): Promise<{ items: string[]; next_cursor: string | null }> {
  const after = page.cursor === undefined ? '' : decodeKeyCursor(page.cursor, 'string');
  const result = await sql<{ project: string | null }>`
    WITH RECURSIVE p(project, n) AS (
      SELECT (SELECT min(project) FROM runs WHERE project > ${after}), 1
      UNION ALL
      SELECT (SELECT min(r.project) FROM runs r WHERE r.project > p.project), p.n + 1 FROM p WHERE p.project IS NOT NULL AND p.n <= ${page.limit}
    )
    SELECT project FROM p WHERE project IS NOT NULL`.execute(db);
  const names = result.rows.map((r) => r.project as string);
  const items = names.slice(0, page.limit);
  return { items, next_cursor: names.length > page.limit ? encodeKeyCursor(items.at(-1)!) : null };
}

/** Marks runs still `running` but silent since `staleBefore` (Unix ms) as interrupted; returns their run ids. */
export async function markStaleRunsInterrupted(db: Db, staleBefore: number): Promise<string[]> {
  const rows = await db
    .updateTable('runs')
    .set((eb) => ({
      status: 'interrupted',
      finished_at: eb.ref('last_seen_at'),
      duration: sql<number>`(last_seen_at - started_at) / 1000.0`,
    }))
    .where('status', '=', 'running')
    .where('last_seen_at', '<', staleBefore)
    .returning('run_id')
    .execute();
  return rows.map((r) => r.run_id);
}

