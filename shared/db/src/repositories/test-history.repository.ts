import type { TestHistory } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { iso } from './run-mapper.js';
import { countNewestRuns, newestRuns } from './run-window.js';

export interface TestHistoryParams {
  project: string;
  nodeid: string;
  branch?: string | undefined;
  limit: number;
  /** How many of the newest runs to look in. @defaultValue 500 */
  scan?: number;
}

/**
 * A test's last `limit` results, newest first: walks the project's (or branch's) newest `scan` runs
 * through the runs index and looks the test's result up by primary key (run, test), newest runs first,
 * until `limit` are found; `undefined` for an unknown test. `runs_scanned`: how many runs there were
 * to look in (at most `scan`).
 */
export async function getTestHistory(db: Db, params: TestHistoryParams): Promise<TestHistory | undefined> {
  const test = await db
    .selectFrom('tests')
    .select(['id', 'file', 'line'])
    .where('project', '=', params.project)
    .where('nodeid', '=', params.nodeid)
    .executeTakeFirst();
  if (!test) return undefined;
  const window = { project: params.project, branch: params.branch };
  const scan = params.scan ?? 500;
  const items: TestHistory['items'] = [];
  // Newest runs first, in growing slices, until `limit` results are found: a test that ran in most runs costs about `limit` look-ups,
  // and only the runs of the slices looked in are read.
  let scanned = 0;
  let exhausted = false;
  let before: { started_at: number; id: number } | undefined;
  for (let size = Math.max(params.limit, 1); !exhausted && scanned < scan && items.length < params.limit; size *= 2) {
    const wanted = Math.min(size, scan - scanned);
    const slice = await newestRuns(db, { ...window, limit: wanted, before });
    scanned += slice.length;
    exhausted = slice.length < wanted;
    before = slice.at(-1);
    if (slice.length === 0) break;
    const results = await db
      .selectFrom('results')
      .select(['run_id', 'outcome', 'duration', 'attempts', 'message'])
      .where('run_id', 'in', slice.map((r) => r.id))
      .where('test_id', '=', test.id)
      .execute();
    const byRun = new Map(results.map((r) => [r.run_id, r]));
    for (const run of slice) {
      const r = byRun.get(run.id);
      if (!r) continue;
      items.push({
        run_id: run.run_id, started_at: iso(run.started_at), branch: run.branch, commit: run.commit_sha, worker_id: run.worker_id,
        outcome: r.outcome, duration: r.duration, attempts: r.attempts, message: r.message,
      });
    }
  }
  // The runs looked in when the test ran often enough; how many there were to look in otherwise.
  const runsScanned = exhausted || scanned >= scan ? scanned : await countNewestRuns(db, { ...window, limit: scan });
  return {
    project: params.project, nodeid: params.nodeid, branch: params.branch ?? null, file: test.file, line: test.line,
    runs_scanned: runsScanned, items: items.slice(0, params.limit),
  };
}
