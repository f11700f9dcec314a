import { addSummaries, emptySummary, passRate, worstRunStatus, type Build, type BuildDetail, type BuildPage } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import type { BuildRow } from '../tables/build.table.js';
import type { RunRow } from '../tables/run.table.js';
import { decodeCursor, encodeCursor } from './run.repository.js';
import { iso, toRun } from './run-mapper.js';
import { chunks } from './run-window.js';

export interface BuildFilter {
  project?: string | undefined;
  branch?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

type BuildRunRow = Pick<
  RunRow,
  'project' | 'build_id' | 'shard' | 'status' | 'started_at' | 'finished_at' | 'duration' | 'total' | 'passed' | 'failed' | 'skipped' | 'errors' | 'xfailed' | 'xpassed' | 'flaky'
>;

const RUN_COLUMNS = [
  'project', 'build_id', 'shard', 'status', 'started_at', 'finished_at', 'duration', 'total', 'passed', 'failed', 'skipped', 'errors', 'xfailed', 'xpassed', 'flaky',
] as const;

const shardOrder = (shard: string) => shard.split('/').map(Number) as [number, number];

/** When a run ended: its finish, else its start plus its duration, else its start. */
const endOf = (run: BuildRunRow) => run.finished_at ?? run.started_at + Math.round((run.duration ?? 0) * 1000);

/** The build of `row` from its runs: counts summed, the worst status, first start to last finish. */
function aggregateBuild(row: BuildRow, runs: readonly BuildRunRow[]): Build {
  let summary = emptySummary();
  let first = row.started_at;
  let last = Number.NEGATIVE_INFINITY;
  let running = false;
  const shards = new Set<string>();
  for (const run of runs) {
    summary = addSummaries(summary, run);
    first = Math.min(first, run.started_at);
    if (run.status === 'running') running = true;
    else last = Math.max(last, endOf(run));
    if (run.shard !== null) shards.add(run.shard);
  }
  const finished = !running && runs.length > 0 ? Math.max(last, first) : null;
  return {
    build_id: row.build_id,
    project: row.project,
    branch: row.branch,
    commit: row.commit_sha,
    status: worstRunStatus(runs.map((r) => r.status)),
    run_count: runs.length,
    started_at: iso(first),
    finished_at: finished === null ? null : iso(finished),
    duration: finished === null ? null : (finished - first) / 1000,
    summary,
    pass_rate: passRate(summary),
    shards: [...shards].sort((a, b) => {
      const [ka, na] = shardOrder(a);
      const [kb, nb] = shardOrder(b);
      return na - nb || ka - kb;
    }),
  };
}

/**
 * Builds newest first (by their first start), with keyset pagination on (started_at, id) down the
 * `builds` indexes; the runs of the page's builds are then read through the partial index on
 * `runs.build_id`.
 */
export async function listBuilds(db: Db, filter: BuildFilter): Promise<BuildPage> {
  let query = db.selectFrom('builds').selectAll();
  if (filter.project !== undefined) query = query.where('project', '=', filter.project);
  if (filter.branch !== undefined) query = query.where('branch', '=', filter.branch);
  if (filter.cursor !== undefined) {
    const c = decodeCursor(filter.cursor);
    query = query.where((eb) => eb.or([eb('started_at', '<', c.s), eb.and([eb('started_at', '=', c.s), eb('id', '<', c.i)])]));
  }
  const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  const runs = new Map<string, BuildRunRow[]>();
  const key = (project: string, buildId: string | null) => `${project}\u0000${buildId}`;
  for (const chunk of chunks(page)) {
    let runQuery = db
      .selectFrom('runs')
      .select(RUN_COLUMNS)
      .where('build_id', 'is not', null)
      .where('build_id', 'in', [...new Set(chunk.map((b) => b.build_id))]);
    if (filter.project !== undefined) runQuery = runQuery.where('project', '=', filter.project);
    for (const run of await runQuery.execute()) {
      const k = key(run.project, run.build_id);
      runs.set(k, [...(runs.get(k) ?? []), run]);
    }
  }
  const last = page.at(-1);
  return {
    items: page.map((b) => aggregateBuild(b, runs.get(key(b.project, b.build_id)) ?? [])),
    next_cursor: rows.length > filter.limit && last ? encodeCursor({ s: last.started_at, i: last.id }) : null,
  };
}

/** One build of a project with its runs in start order; `undefined` when the project has no such build. */
export async function findBuild(db: Db, project: string, buildId: string): Promise<BuildDetail | undefined> {
  const row = await db.selectFrom('builds').selectAll().where('project', '=', project).where('build_id', '=', buildId).executeTakeFirst();
  if (row === undefined) return undefined;
  const runs = await db
    .selectFrom('runs')
    .selectAll()
    .where('build_id', '=', buildId)
    .where('project', '=', project)
    .orderBy('started_at')
    .orderBy('id')
    .execute();
  return { ...aggregateBuild(row, runs), runs: runs.map(toRun) };
}
