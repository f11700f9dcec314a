import type { SlowTest, SlowTests } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { newestRuns, runDigests, testsById } from './run-window.js';
import { taggedTests } from './test-tags.js';

export interface SlowestTestsParams {
  project: string;
  branch?: string | undefined;
  /** Only tests that carried this tag in a stored run. */
  tag?: string | undefined;
  /** Recent finished runs to take the median over. */
  runs: number;
  limit: number;
  /** A median change beyond this ratio is a trend. @defaultValue 1.2 */
  trendRatio?: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Tests by median duration over the last `runs` finished runs (skips left out), slowest first, with
 * the trend: the median of the newer half of those runs over the median of the older half. Reads the
 * runs' digests.
 */
export async function listSlowestTests(db: Db, params: SlowestTestsParams): Promise<SlowTests> {
  const runs = await newestRuns(db, { project: params.project, branch: params.branch, limit: params.runs, finishedOnly: true });
  const durations = new Map<number, number[]>();
  const tagged = params.tag === undefined ? undefined : new Set((await taggedTests(db, params.tag, [params.project]).execute()).map((t) => t.test_id));
  const digests = await runDigests(db, runs.map((r) => r.id));
  for (const run of [...runs].reverse()) {
    const d = digests.get(run.id);
    for (let i = 0; d !== undefined && i < d.size; i++) {
      const testId = d.testId(i);
      if (d.outcome(i) === 'skipped' || (tagged !== undefined && !tagged.has(testId))) continue;
      const list = durations.get(testId);
      if (list === undefined) durations.set(testId, [d.duration(i)]);
      else list.push(d.duration(i));
    }
  }
  const threshold = params.trendRatio ?? 1.2;
  // Every test is ranked by its median; the rest of an item is worked out for the listed tests only.
  const ranked: { test_id: number; median_duration: number; values: number[] }[] = [];
  for (const [testId, values] of durations) ranked.push({ test_id: testId, median_duration: median(values), values });
  ranked.sort((a, b) => b.median_duration - a.median_duration || a.test_id - b.test_id);
  const top = ranked.slice(0, params.limit).map(({ test_id, median_duration, values }): Omit<SlowTest, 'nodeid'> & { test_id: number } => {
    const half = values.length >> 1;
    const older = half > 0 ? median(values.slice(0, half)) : 0;
    const change = values.length < 2 || older <= 0 ? null : median(values.slice(half)) / older;
    return {
      test_id,
      median_duration,
      latest_duration: values.at(-1)!,
      runs: values.length,
      change,
      trend: change === null ? null : change > threshold ? 'slower' : change < 1 / threshold ? 'faster' : 'stable',
    };
  });
  const tests = await testsById(db, top.map((t) => t.test_id));
  return {
    project: params.project,
    branch: params.branch ?? null,
    runs: runs.length,
    items: top.map(({ test_id, ...rest }) => ({ nodeid: tests.get(test_id)?.nodeid ?? '', ...rest })),
  };
}
