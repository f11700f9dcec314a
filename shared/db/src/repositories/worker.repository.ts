import { sql } from 'kysely';
import type { Worker } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { iso } from './run-mapper.js';
import { decodeKeyCursor, encodeKeyCursor, type KeyPageQuery } from './run.repository.js';

const DAY_MS = 86_400_000;

/**
 * The workers ingest has heard from, by id, a page at a time: `running` while one of its runs is,
 * `online` when seen within `onlineWindowMs`, else `offline`; with its runs and pass rate over the
 * last 24 hours. Only the page's workers' runs are counted; the running ones come from the partial index on running runs.
 */
export async function listWorkers(
  db: Db,
  params: KeyPageQuery & { now: number; onlineWindowMs: number },
): Promise<{ items: Worker[]; next_cursor: string | null }> {
  let query = db.selectFrom('workers').selectAll();
  if (params.cursor !== undefined) query = query.where('worker_id', '>', decodeKeyCursor(params.cursor, 'string'));
  const rows = await query.orderBy('worker_id').limit(params.limit + 1).execute();
  const workers = rows.slice(0, params.limit);
  const next_cursor = rows.length > params.limit ? encodeKeyCursor(workers.at(-1)!.worker_id) : null;
  if (workers.length === 0) return { items: [], next_cursor };
  const ids = workers.map((w) => w.worker_id);
  const [running, recent] = await Promise.all([
    // Every worker with a running run, read from the partial index on running runs (a literal
    // predicate, so the planners see it applies); only the page's workers are looked up in the set.
    // Filtering by the page's ids in SQL made SQLite walk each worker's runs on (worker_id,
    // started_at) and read every row for its status: 10,000 rows, 1.6 ms on a 10M-result store.
    db.selectFrom('runs').select('worker_id').distinct().where(sql<boolean>`status = 'running'`).execute(),
    db
      .selectFrom('runs')
      .select((eb) => [
        'worker_id',
        eb.fn.countAll<number>().as('runs'),
        eb.fn.sum<number>('passed').as('passed'),
        eb.fn.sum<number>('failed').as('failed'),
        eb.fn.sum<number>('errors').as('errors'),
      ])
      .where('started_at', '>=', params.now - DAY_MS)
      .where('worker_id', 'in', ids)
      .groupBy('worker_id')
      .execute(),
  ]);
  const isRunning = new Set(running.map((r) => r.worker_id));
  const byWorker = new Map(recent.map((r) => [r.worker_id, r]));
  const items = workers.map((w): Worker => {
    const r = byWorker.get(w.worker_id);
    const executed = r ? Number(r.passed) + Number(r.failed) + Number(r.errors) : 0;
    return {
      worker_id: w.worker_id,
      status: isRunning.has(w.worker_id) ? 'running' : params.now - w.last_seen_at <= params.onlineWindowMs ? 'online' : 'offline',
      last_seen: iso(w.last_seen_at),
      last_run_id: w.last_run_id,
      project: w.project,
      branch: w.branch,
      runs_24h: r ? Number(r.runs) : 0,
      pass_rate_24h: executed === 0 ? null : Number(r?.passed ?? 0) / executed,
    };
  });
  return { items, next_cursor };
}
