import { statusFromSummary } from '@pytest-platform/schema';
import type { RunResult } from '@pytest-platform/schema';

/** What quarantine did to the runs of one command. */
export interface QuarantinedRuns {
  /** Failed and error tests in all runs. */
  failures: number;
  /** The quarantined ones among them, each node id once, in run order. */
  ignored: string[];
  /** There were failures, all of them quarantined, and every run is `passed` once they are ignored. */
  allIgnored: boolean;
}

/**
 * Marks the failed and error tests of `runs` that are in `quarantined` with `quarantined: true`. A run
 * whose failures are all quarantined, and whose status came from its tests alone, becomes `passed`:
 * what the command's outcome is once they are ignored.
 */
export function quarantineRuns(runs: RunResult[], quarantined: ReadonlyMap<string, unknown>): QuarantinedRuns {
  const ignored = new Set<string>();
  let failures = 0;
  let quarantinedFailures = 0;
  for (const run of runs) {
    let runFailures = 0;
    let runIgnored = 0;
    for (const test of run.tests) {
      if (test.outcome !== 'failed' && test.outcome !== 'error') continue;
      runFailures += 1;
      if (!quarantined.has(test.nodeid)) continue;
      test.quarantined = true;
      runIgnored += 1;
      ignored.add(test.nodeid);
    }
    failures += runFailures;
    quarantinedFailures += runIgnored;
    const fromTests = run.summary !== undefined && run.status === statusFromSummary(run.summary);
    if (runFailures > 0 && runIgnored === runFailures && fromTests) run.status = 'passed';
  }
  const allIgnored = failures > 0 && quarantinedFailures === failures && runs.every((run) => run.status === 'passed');
  return { failures, ignored: [...ignored], allIgnored };
}
