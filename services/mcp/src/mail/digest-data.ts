import { getQuarantineRoute, type FailureStat, type QuarantineChange, type QuarantineEntry, type Run, type TrendPoint, type Worker } from '@pytest-platform/schema';
import type { ApiClient } from '../api-client.js';

const DAY_MS = 86_400_000;
const MAX_PAGES = 40;

/** Totals of the finished runs of one period. */
interface PeriodTotals {
  runs: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  /** `passed / (passed + failed + errors)`; null when nothing ran. */
  passRate: number | null;
}

/** Everything one project's digest shows; every number comes from the read API. */
export interface DigestData {
  project: string;
  generatedAt: string;
  /** The period is `[since, until)`, whole days back from `until`. */
  since: string;
  until: string;
  days: number;
  current: PeriodTotals;
  previous: PeriodTotals;
  /** Change of the pass rate against the previous period of the same length; null when either is null. */
  passRateChange: number | null;
  /** Last finished runs, oldest first. */
  trend: TrendPoint[];
  /** Tests that failed in the period and not in the period before it. */
  newFailures: FailureStat[];
  /** Tests that failed most often in the period. */
  topFailures: FailureStat[];
  /** Workers of the project last seen in the period and offline now. */
  offlineWorkers: Worker[];
  /** The project's quarantined tests now. */
  quarantine: QuarantineEntry[];
  /** Quarantines and releases of the period, oldest first. */
  quarantineChanges: QuarantineChange[];
  /** `PUBLIC_URL`: the digest links to the project, its report and each test's page; `null`: no links. */
  publicUrl: string | null;
}

export interface DigestQuery {
  project: string;
  /** Whole days the digest covers. @defaultValue 1 */
  days?: number | undefined;
  /** @defaultValue now */
  now?: number | undefined;
  publicUrl?: string | undefined;
}

const digestLimits = { trend: 14, newFailures: 10, topFailures: 5, stats: 500, quarantineHistory: 200 } as const;

/** Days since the last digest (at least 1, at most 31), so Monday's digest covers the weekend. */
export function digestDays(lastSentAt: number | null, now = Date.now()): number {
  if (lastSentAt === null || !(lastSentAt < now)) return 1;
  return Math.min(31, Math.max(1, Math.ceil((now - lastSentAt) / DAY_MS - 0.01)));
}

/** Runs of a project started in `[since, until)`, all pages. */
async function runsBetween(api: ApiClient, project: string, since: number, until: number): Promise<Run[]> {
  const runs: Run[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await api.results({ project, since: new Date(since).toISOString(), until: new Date(until).toISOString(), limit: 500, cursor });
    runs.push(...body.items);
    if (!body.next_cursor) break;
    cursor = body.next_cursor;
  }
  return runs;
}

/** Sums the finished runs (a run still `running` is left out). */
function totals(runs: readonly Run[]): PeriodTotals {
  const t = { runs: 0, passed: 0, failed: 0, errors: 0, skipped: 0 };
  for (const run of runs) {
    if (run.status === 'running') continue;
    t.runs += 1;
    t.passed += run.summary.passed;
    t.failed += run.summary.failed;
    t.errors += run.summary.errors;
    t.skipped += run.summary.skipped;
  }
  const executed = t.passed + t.failed + t.errors;
  return { ...t, passRate: executed > 0 ? t.passed / executed : null };
}

/** Loads one project's digest from the API. */
export async function loadDigestData(api: ApiClient, query: DigestQuery): Promise<DigestData> {
  const days = query.days ?? 1;
  const until = query.now ?? Date.now();
  const since = until - days * DAY_MS;
  const [current, previous, trend, stats, statsDouble, workers, quarantine] = await Promise.all([
    runsBetween(api, query.project, since, until),
    runsBetween(api, query.project, since - days * DAY_MS, since),
    api.trend({ project: query.project, limit: digestLimits.trend }),
    // Rolling windows that end now, like the run counts: the same figures whatever the hour it is sent.
    api.failureStats({ project: query.project, since: new Date(since).toISOString(), limit: digestLimits.stats }),
    api.failureStats({ project: query.project, since: new Date(since - days * DAY_MS).toISOString(), limit: digestLimits.stats }),
    api.workers(),
    api.call(getQuarantineRoute, { query: { project: query.project, history: true, limit: digestLimits.quarantineHistory } }),
  ]);
  const before = new Map(statsDouble.items.map((item) => [item.nodeid, item.failures]));
  const newFailures = stats.items.filter((item) => (before.get(item.nodeid) ?? item.failures) <= item.failures);
  const currentTotals = totals(current);
  const previousTotals = totals(previous);
  return {
    project: query.project,
    generatedAt: new Date(until).toISOString(),
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    days,
    current: currentTotals,
    previous: previousTotals,
    passRateChange: currentTotals.passRate !== null && previousTotals.passRate !== null ? currentTotals.passRate - previousTotals.passRate : null,
    trend: trend.points,
    newFailures,
    topFailures: stats.items.slice(0, digestLimits.topFailures),
    offlineWorkers: workers.items.filter((w) => w.status === 'offline' && w.project === query.project && Date.parse(w.last_seen) >= since),
    publicUrl: query.publicUrl ?? null,
    quarantine: quarantine.items,
    quarantineChanges: (quarantine.history ?? []).filter((c) => Date.parse(c.at) >= since && Date.parse(c.at) < until).reverse(),
  };
}
