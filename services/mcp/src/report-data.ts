import { getFlakyTestsRoute, getQuarantineRoute, getSlowestTestsRoute, type QuarantineEntry } from '@pytest-platform/schema';
import type { ApiClient } from './api-client.js';
import { reportLimits, type ReportData } from './render/report.js';
import { QUARANTINE_SHOWN, type QuarantinedTest } from './render/quarantine-section.js';

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
  const [page, trend, stats, workers, flaky, slowest, quarantine] = await Promise.all([
    api.results({ project: query.project, branch: query.branch, limit: Math.min(runs, reportLimits.runs + 1) }),
    api.trend({ project: query.project, branch: query.branch, limit: runs }),
    api.failureStats({ project: query.project, branch: query.branch, days, limit: reportLimits.failureStats + 1 }),
    api.workers(),
    api.call(getFlakyTestsRoute, { query: { project: query.project, branch: query.branch, window: runs, limit: reportLimits.flaky + 1 } }),
    api.call(getSlowestTestsRoute, { query: { project: query.project, branch: query.branch, limit: reportLimits.slowest + 1 } }),
    api.call(getQuarantineRoute, { query: { project: query.project } }),
  ]);
  const newest = page.items[0];
  // The first page of failures, as many as the report shows; the rest it counts.
  const latest = newest ? await api.run(newest.run_id, { failuresLimit: reportLimits.failures }) : null;
  const quarantined = await withLatestOutcomes(api, quarantine.items, latest?.run_id);
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
    quarantine: quarantined,
  };
}

/**
 * Each quarantined test with its outcome in the run `runId` (null when it did not run there, or there
 * is no run); looked up for the tests the report lists.
 */
async function withLatestOutcomes(api: ApiClient, entries: readonly QuarantineEntry[], runId: string | undefined): Promise<QuarantinedTest[]> {
  const outcomes = new Map<string, QuarantinedTest['latest_outcome']>();
  const listed = entries.slice(0, QUARANTINE_SHOWN);
  if (runId !== undefined && listed.length > 0) {
    for (const t of await api.runTests(runId, { nodeids: listed.map((e) => e.nodeid) })) outcomes.set(t.nodeid, t.outcome);
  }
  return entries.map((e) => ({ ...e, latest_outcome: outcomes.get(e.nodeid) ?? null }));
}
