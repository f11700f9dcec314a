import type { Outcome } from '@pytest-platform/schema';
import type { FailureDayTable as FailureDayRow, TestDayTable as TestDayRow } from './tables/rollup.table.js';

export const DAY_MS = 86_400_000;

/** The UTC day number of a Unix-ms time: what the rollups are keyed by. */
export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);

export const isFailure = (outcome: Outcome | string): boolean => outcome === 'failed' || outcome === 'error';

/** The stored run whose results a batch writes, as the run upserts return it: its project, branch and start fix where they count. */
export interface RolledRun {
  id: number;
  project: string;
  branch: string | null;
  started_at: number;
}

/** The rollup changes of one (project, day, branch). */
export class DayBucket {
  /** test id → results inserted. */
  readonly ran = new Map<number, number>();
  /** signature → test id → change. */
  readonly failed = new Map<string, Map<number, { n: number; first: number; last: number; run: number }>>();

  constructor(readonly project: string, readonly day: number, readonly branch: string) {}

  /** A result row of this test was inserted (not there before). */
  addRun(testId: number): void {
    this.ran.set(testId, (this.ran.get(testId) ?? 0) + 1);
  }

  /** A failure with `signature` was stored in `run` (`+1`) or replaced (`-1`). */
  addFailure(testId: number, signature: string, change: 1 | -1, run: RolledRun): void {
    let bySignature = this.failed.get(signature);
    if (bySignature === undefined) {
      bySignature = new Map();
      this.failed.set(signature, bySignature);
    }
    const d = bySignature.get(testId) ?? { n: 0, first: Infinity, last: -Infinity, run: 0 };
    d.n += change;
    if (change > 0) {
      d.first = Math.min(d.first, run.started_at);
      if (run.started_at >= d.last) {
        d.last = run.started_at;
        d.run = run.id;
      }
    }
    bySignature.set(testId, d);
  }
}

/**
 * What one write transaction changes in `test_days` and `failure_days`, accumulated in memory and
 * written once at the end of the transaction, sorted by key (one row per key; a stable lock order
 * for concurrent writers on Postgres).
 */
export class RollupDeltas {
  private readonly buckets = new Map<string, DayBucket>();

  bucket(run: RolledRun): DayBucket {
    const day = utcDay(run.started_at);
    const branch = run.branch ?? '';
    const key = `${run.project}\u0000${day}\u0000${branch}`;
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = new DayBucket(run.project, day, branch);
      this.buckets.set(key, b);
    }
    return b;
  }

  clear(): void {
    this.buckets.clear();
  }

  testDays(): TestDayRow[] {
    const rows: TestDayRow[] = [];
    for (const b of this.buckets.values()) {
      for (const [test_id, runs] of b.ran) rows.push({ project: b.project, test_id, day: b.day, branch: b.branch, runs });
    }
    return rows.sort((a, b) => cmp(a.project, b.project) || a.test_id - b.test_id || a.day - b.day || cmp(a.branch, b.branch));
  }

  failureDays(): FailureDayRow[] {
    const rows: FailureDayRow[] = [];
    for (const b of this.buckets.values()) {
      for (const [signature, tests] of b.failed) {
        for (const [test_id, d] of tests) {
          if (d.n === 0 && d.run === 0) continue;
          const added = d.run !== 0;
          rows.push({
            project: b.project, day: b.day, branch: b.branch, signature, test_id, failures: d.n,
            first_at: added ? d.first : 0, last_at: added ? d.last : 0, last_run: d.run,
          });
        }
      }
    }
    return rows.sort((a, b) => cmp(a.project, b.project) || a.day - b.day || cmp(a.branch, b.branch) || cmp(a.signature, b.signature) || a.test_id - b.test_id);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
