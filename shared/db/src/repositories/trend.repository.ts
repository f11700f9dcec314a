import { passRate, type Trend } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { iso } from './run-mapper.js';

/** The last `limit` finished runs of a project (one branch, or all), oldest first. */
export async function getTrend(db: Db, params: { project: string; branch?: string | undefined; limit: number }): Promise<Trend> {
  let query = db
    .selectFrom('runs')
    .select(['run_id', 'started_at', 'total', 'passed', 'failed', 'errors', 'skipped', 'duration'])
    .where('project', '=', params.project)
    .where('status', '!=', 'running');
  if (params.branch !== undefined) query = query.where('branch', '=', params.branch);
  const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(params.limit).execute();
  return {
    project: params.project,
    branch: params.branch ?? null,
    points: rows.reverse().map((r) => ({
      run_id: r.run_id,
      started_at: iso(r.started_at),
      pass_rate: passRate(r),
      total: r.total,
      passed: r.passed,
      failed: r.failed,
      errors: r.errors,
      skipped: r.skipped,
      duration: r.duration,
    })),
  };
}
