import type { Logger } from 'pino';
import { foldFinishedRuns, foldRunDurations, projectsWithDurations, type Db, type Dialect } from '@pytest-platform/db';
import type { IngestCounters } from '../ingest-stats.js';
import type { Task } from '../scheduler.js';
import type { Publisher } from './publisher.js';

/** Runs folded in one transaction at most; a full fold runs again on the loop's next turn. */
const MAX_FOLD_RUNS = 200;
/**
 * About how long one fold may hold the write lock: the number of runs per fold halves after a
 * slower one and doubles after a quicker one, so large runs do not hold up the batches between.
 */
const FOLD_BUDGET_MS = 250;

export interface DurationsOptions {
  db: Db;
  dialect: Dialect;
  publisher: Publisher;
  /** `INGEST_FOLD_SECONDS` in ms. */
  everyMs: number;
  counters: IngestCounters;
  logger: Logger;
}

/**
 * Folds the runs that finished since the last pass into each test's and file's recorded duration
 * (every stored run, the first time), and once caught up publishes the durations of the projects
 * that changed; the first time, of every project that has some.
 */
export function durationsTask({ db, dialect, publisher, everyMs, counters, logger }: DurationsOptions): Task {
  let started = false;
  let limit = MAX_FOLD_RUNS;
  const changed = new Set<string>();
  return {
    name: 'durations',
    what: 'fold and publish test durations',
    everyMs,
    atStart: true,
    async run(now) {
      const began = performance.now();
      const runs = await foldFinishedRuns(db, 'durations', { limit, from: 'start' }, (trx, folded) => foldRunDurations(trx, folded, dialect));
      const full = runs.length === limit;
      const took = performance.now() - began;
      if (took > FOLD_BUDGET_MS) limit = Math.max(1, Math.floor(limit / 2));
      else if (full && took < FOLD_BUDGET_MS / 4) limit = Math.min(MAX_FOLD_RUNS, limit * 2);
      counters.durationRuns += runs.length;
      for (const run of runs) changed.add(run.project);
      if (runs.length > 0) logger.debug({ runs: runs.length, limit }, 'folded runs into test durations');
      if (full) return 'more';
      // Published once caught up: a backlog folded over many turns is written once.
      if (!started) for (const project of await projectsWithDurations(db)) changed.add(project);
      await publisher.durations(changed, now);
      changed.clear();
      started = true;
      return 'done';
    },
  };
}
