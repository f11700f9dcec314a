import { summarize, type RunHeader, type StreamEntry, type Summary, type TestResult } from '@pytest-platform/schema';
import type { StoredRunHeader } from './build-deltas.js';

/** A run as both dialects' run upserts return it: project, branch, start, build and shard are fixed once stored. */
export type UpsertedRun = StoredRunHeader & { summary_final: number };

/** How an entry ends its run: what the final run upsert writes. */
export interface RunFinal {
  status: string;
  finished_at: number | null;
  duration: number | null;
  /** Absent when the producer sent none with `run.finished`: the counts come from the stored results. */
  summary: Summary | undefined;
}

/** What one stream entry asks of a writer, the same on both dialects. */
export interface RunEntryPlan {
  header: RunHeader;
  /** Set when the entry ends the run (`run`, `run.finished`): the final upsert; otherwise the running one. */
  final: RunFinal | null;
  tests: readonly TestResult[];
  /** Count the run's results into it unless its stored summary is final (`run.tests`, `run.finished`). */
  recount: boolean;
}

const NO_TESTS: readonly TestResult[] = [];
const ms = (iso: string) => Date.parse(iso);

/** The run upsert, tests and recount an entry needs: `run` ends its run with all its tests, the live entries each do a part. */
export function planRunEntry(entry: StreamEntry): RunEntryPlan {
  switch (entry.type) {
    case 'run': {
      const d = entry.data;
      const final = { status: d.status, finished_at: d.finished_at ? ms(d.finished_at) : null, duration: d.duration, summary: d.summary ?? summarize(d.tests) };
      return { header: d, final, tests: d.tests, recount: false };
    }
    case 'run.started':
      return { header: entry.data, final: null, tests: NO_TESTS, recount: false };
    case 'run.tests':
      return { header: entry.data, final: null, tests: entry.data.tests, recount: true };
    case 'run.finished': {
      const d = entry.data;
      return { header: d, final: { status: d.status, finished_at: ms(d.finished_at), duration: d.duration, summary: d.summary }, tests: NO_TESTS, recount: true };
    }
  }
}
