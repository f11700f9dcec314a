import type { Logger } from 'pino';
import type { IngestCounters } from '../ingest-stats.js';
import type { ResultsStream } from '../results-stream.js';
import type { Task } from '../scheduler.js';

export interface TrimOptions {
  stream: ResultsStream;
  /** `INGEST_TRIM_INTERVAL_MS`. */
  everyMs: number;
  counters: IngestCounters;
  logger: Logger;
}

/** Removes the entries every group has acknowledged from the stream, so Redis memory stays bounded. */
export function trimTask({ stream, everyMs, counters, logger }: TrimOptions): Task {
  return {
    name: 'trim',
    what: 'trim the stream',
    everyMs,
    async run() {
      const trimmed = await stream.trimAcknowledged();
      counters.trimmed += trimmed;
      if (trimmed > 0) logger.debug({ trimmed }, 'trimmed acknowledged entries');
      return 'done';
    },
  };
}
