import type { Logger } from 'pino';
import {
  announceQuarantineChanges, applyAutoQuarantine, countQuarantinePasses, foldFinishedRuns, quarantinedProjects, releaseExpired,
  type Db, type QuarantinePolicy,
} from '@pytest-platform/db';
import type { IngestCounters } from '../ingest-stats.js';
import type { Task } from '../scheduler.js';
import type { Publisher } from './publisher.js';

/** Runs folded into the policy in one transaction; a full fold runs again on the loop's next turn. */
const FOLD_RUNS = 500;
/** History rows announced per Redis transaction. */
const ANNOUNCE = 500;

export interface QuarantineOptions {
  db: Db;
  publisher: Publisher;
  /** `INGEST_FOLD_SECONDS` in ms. */
  everyMs: number;
  /** `QUARANTINE_*`; null: no automatic quarantine (expiry and publishing still run). */
  policy: QuarantinePolicy | null;
  counters: IngestCounters;
  logger: Logger;
}

/**
 * Quarantine housekeeping: releases expired entries; with the automatic policy, folds the runs that
 * finished since the last pass (consecutive passes of automatic entries, which may release them) and
 * applies the flaky rule to each project that had one; then announces every change not yet announced
 * (this task's, and those made through the API) on `<stream>:events` and republishes the lists of
 * their projects. At start it republishes every project's list.
 */
export function quarantineTask({ db, publisher, everyMs, policy, counters, logger }: QuarantineOptions): Task {
  let started = false;
  return {
    name: 'quarantine',
    what: 'apply and publish the quarantine',
    everyMs,
    atStart: true,
    async run(now) {
      await releaseExpired(db, now);
      let folded = 0;
      if (policy !== null) {
        const runs = await foldFinishedRuns(db, 'quarantine', { limit: FOLD_RUNS, from: 'end' }, async (trx, batch) => {
          await countQuarantinePasses(trx, batch, policy.releasePasses, now);
        });
        folded = runs.length;
        for (const project of new Set(runs.map((r) => r.project))) await applyAutoQuarantine(db, project, policy, now);
      }
      const projects = new Set<string>(started ? [] : await quarantinedProjects(db));
      for (;;) {
        const announced = await announceQuarantineChanges(db, ANNOUNCE, (changes) => publisher.announce(changes));
        counters.quarantineChanges += announced.length;
        for (const change of announced) {
          projects.add(change.project);
          logger.info({ project: change.project, nodeid: change.nodeid, action: change.action, by: change.by, reason: change.reason }, `test ${change.action}`);
        }
        if (announced.length < ANNOUNCE) break;
      }
      await publisher.quarantine(projects, now);
      started = true;
      return folded === FOLD_RUNS ? 'more' : 'done';
    },
  };
}
