import type { Logger } from 'pino';
import { markStaleRunsInterrupted, type Db } from '@pytest-platform/db';
import type { IngestCounters } from '../ingest-stats.js';
import type { Task } from '../scheduler.js';

export interface SweepOptions {
  db: Db;
  /** `INGEST_SWEEP_SECONDS` in ms. */
  everyMs: number;
  /** `RUN_STALE_SECONDS` in ms: a running run silent this long is interrupted. */
  staleMs: number;
  counters: IngestCounters;
  logger: Logger;
}

/** Marks running runs whose reporter went silent as interrupted, keeping what they stored. */
export function sweepTask({ db, everyMs, staleMs, counters, logger }: SweepOptions): Task {
  return {
    name: 'sweep',
    what: 'mark silent runs interrupted',
    everyMs,
    atStart: true,
    async run(now) {
      const runIds = await markStaleRunsInterrupted(db, now - staleMs);
      counters.interrupted += runIds.length;
      if (runIds.length > 0) logger.info({ run_ids: runIds.slice(0, 100), count: runIds.length }, 'marked silent runs interrupted');
      return 'done';
    },
  };
}
