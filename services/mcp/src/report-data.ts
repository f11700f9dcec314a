import { getFlakyTestsRoute, getSlowestTestsRoute } from '@pytest-platform/schema';
import type { ApiClient } from './api-client.js';
import { reportLimits, type ReportData } from './render/report.js';

export interface ReportQuery {
  project: string;
  branch?: string | undefined;
  /** Runs in the trend charts. @defaultValue 30 */
  runs?: number | undefined;
  /** Window of the most-frequent-failures table. @defaultValue 14 */
  days?: number | undefined;
}

/** Fetches what one report shows from the API (the caller checks that the project exists). */
export async function loadReportData(api: ApiClient, query: ReportQuery): Promise<ReportData> {
  const runs = query.runs ?? 30;
  const days = query.days ?? 14;
  const [page, trend, stats, workers, flaky, slowest] = await Promise.all([
    api.results({ project: query.project, branch: query.branch, limit: Math.min(runs, reportLimits.runs + 1) }),
    api.trend({ project: query.project, branch: query.branch, limit: runs }),
    api.failureStats({ project: query.project, branch: query.branch, days, limit: reportLimits.failureStats + 1 }),
    api.workers(),
    api.call(getFlakyTestsRoute, { query: { project: query.project, branch: query.branch, window: runs, limit: reportLimits.flaky + 1 } }),
    api.call(getSlowestTestsRoute, { query: { project: query.project, branch: query.branch, limit: reportLimits.slowest + 1 } }),
  ]);
  const newest = page.items[0];
  const latest = newest ? await api.run(newest.run_id) : null;
  return {
    project: query.project,
    branch: query.branch ?? null,
    generatedAt: new Date().toISOString(),
    runs: page.items,
    trend,
    latest,
    failureStats: stats.items,
    failureStatsDays: days,
    workers: workers.items,
    flaky: flaky.items,
    flakyWindow: flaky.window,
    slowest: slowest.items,
    slowestRuns: slowest.runs,
  };
}
