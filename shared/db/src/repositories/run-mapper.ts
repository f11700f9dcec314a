import { passRate, type Run } from '@pytest-platform/schema';
import type { RunRow } from '../tables/run.table.js';

export const iso = (ms: number) => new Date(ms).toISOString();

export function toRun(row: RunRow): Run {
  const summary = {
    total: row.total, passed: row.passed, failed: row.failed, skipped: row.skipped, errors: row.errors,
    xfailed: row.xfailed, xpassed: row.xpassed, flaky: row.flaky,
  };
  return {
    run_id: row.run_id,
    project: row.project,
    branch: row.branch,
    commit: row.commit_sha,
    worker_id: row.worker_id,
    framework: row.framework,
    framework_version: row.framework_version,
    started_at: iso(row.started_at),
    build_id: row.build_id,
    shard: row.shard,
    finished_at: row.finished_at === null ? null : iso(row.finished_at),
    duration: row.duration,
    status: row.status,
    summary,
    environment: JSON.parse(row.environment) as Record<string, string>,
    pass_rate: passRate(summary),
  };
}
