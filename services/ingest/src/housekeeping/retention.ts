import type { Logger } from 'pino';
import { deleteRunsStartedBefore, RETENTION_BATCH_RUNS, type Db } from '@pytest-platform/db';
import type { IngestCounters } from '../ingest-stats.js';
import type { Task } from '../scheduler.js';

const DAY_MS = 86_400_000;

/** How often retention looks for runs past `RETENTION_DAYS` once none are left. */
const RETENTION_CHECK_MS = 3_600_000;

export interface RetentionOptions {
  db: Db;
  /** `RETENTION_DAYS`. */
  retentionDays: number;
  counters: IngestCounters;
  logger: Logger;
}

/** Deletes runs that started more than `RETENTION_DAYS` ago, with their results and rollups. */
export function retentionTask({ db, retentionDays, counters, logger }: RetentionOptions): Task {
  return {
    name: 'retention',
    what: 'delete runs past retention',
    everyMs: RETENTION_CHECK_MS,
    atStart: true,
    // One small transaction per loop turn: a full batch comes back next turn, after the stream was served.
    async run(now) {
      const deleted = await deleteRunsStartedBefore(db, now - retentionDays * DAY_MS, RETENTION_BATCH_RUNS);
      counters.pruned += deleted;
      if (deleted > 0) logger.info({ runs: deleted, retention_days: retentionDays }, 'deleted runs past retention');
      return deleted === RETENTION_BATCH_RUNS ? 'more' : 'done';
    },
  };
}
