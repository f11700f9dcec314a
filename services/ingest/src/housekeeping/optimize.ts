import type { RunStore } from '../run-store.js';
import type { Task } from '../scheduler.js';

/** How often the planner's statistics are refreshed. */
const OPTIMIZE_EVERY_MS = 3_600_000;

/** Keeps the planner's statistics current on a long-lived connection (SQLite `PRAGMA optimize`). */
export function optimizeTask(store: Pick<RunStore, 'optimize'>): Task {
  return {
    name: 'optimize',
    what: 'refresh the planner statistics',
    everyMs: OPTIMIZE_EVERY_MS,
    async run() {
      store.optimize();
      return 'done';
    },
  };
}
