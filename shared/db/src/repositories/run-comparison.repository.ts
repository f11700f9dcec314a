import type { CompareCategory, CompareTest, Outcome, RunComparison } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { testsById } from './run-window.js';

/** The run fields a comparison names. */
export interface ComparedRun {
  pk: number;
  run_id: string;
  project: string;
  branch: string | null;
  commit: string | null;
  started_at: string;
}

export interface CompareOptions {
  /** Items listed per category; counts are always complete. */
  limit: number;
  /** A test is slower when its duration grew by more than this ratio… @defaultValue 0.5 */
  slowerRatio?: number;
  /** …and by more than this many seconds. @defaultValue 0.1 */
  slowerSeconds?: number;
}

type Row = { test_id: number; outcome: Outcome; duration: number; message: string | null };
type Entry = [number, Row | undefined, Row | undefined];
const failing = (o: Outcome) => o === 'failed' || o === 'error';
const executed = (o: Outcome) => o !== 'skipped';

/**
 * What changed from `base` to `head` (two runs of one project): newly failing, fixed, still failing,
 * added and removed tests, and duration regressions. Reads each run's results by primary-key range.
 */
export async function compareRuns(db: Db, base: ComparedRun, head: ComparedRun, options: CompareOptions): Promise<RunComparison> {
  const read = (pk: number) => db.selectFrom('results').select(['test_id', 'outcome', 'duration', 'message']).where('run_id', '=', pk).execute();
  const [baseRows, headRows] = await Promise.all([read(base.pk), read(head.pk)]);
  const baseById = new Map<number, Row>(baseRows.map((r) => [r.test_id, r]));
  const headById = new Map<number, Row>(headRows.map((r) => [r.test_id, r]));
  const ratio = 1 + (options.slowerRatio ?? 0.5);
  const seconds = options.slowerSeconds ?? 0.1;

  const buckets: Record<CompareCategory, Entry[]> = { newly_failing: [], fixed: [], still_failing: [], added: [], removed: [], slower: [] };
  for (const [id, h] of headById) {
    const b = baseById.get(id);
    if (!b) buckets.added.push([id, undefined, h]);
    else if (failing(h.outcome) && failing(b.outcome)) buckets.still_failing.push([id, b, h]);
    else if (failing(h.outcome)) buckets.newly_failing.push([id, b, h]);
    else if (failing(b.outcome) && h.outcome === 'passed') buckets.fixed.push([id, b, h]);
    if (b && executed(b.outcome) && executed(h.outcome) && h.duration > b.duration * ratio && h.duration - b.duration > seconds) {
      buckets.slower.push([id, b, h]);
    }
  }
  for (const [id, b] of baseById) if (!headById.has(id)) buckets.removed.push([id, b, undefined]);

  const all = Object.values(buckets).flat().map(([id]) => id);
  const tests = await testsById(db, all);
  const nodeid = (id: number) => tests.get(id)?.nodeid ?? '';
  const item = ([id, b, h]: Entry): CompareTest => ({
    nodeid: nodeid(id),
    base_outcome: b?.outcome ?? null,
    head_outcome: h?.outcome ?? null,
    base_duration: b?.duration ?? null,
    head_duration: h?.duration ?? null,
    message: (h && failing(h.outcome) ? h.message : b && failing(b.outcome) ? b.message : null) ?? null,
  });
  const category = (entries: Entry[], slower = false) => {
    const sorted = slower
      ? [...entries].sort((x, y) => (y[2]!.duration - y[1]!.duration) - (x[2]!.duration - x[1]!.duration) || nodeid(x[0]).localeCompare(nodeid(y[0])))
      : [...entries].sort((x, y) => (nodeid(x[0]) < nodeid(y[0]) ? -1 : nodeid(x[0]) > nodeid(y[0]) ? 1 : 0));
    return { count: entries.length, items: sorted.slice(0, options.limit).map(item) };
  };
  const header = (r: ComparedRun) => ({ run_id: r.run_id, project: r.project, branch: r.branch, commit: r.commit, started_at: r.started_at });
  return {
    base: header(base),
    head: header(head),
    newly_failing: category(buckets.newly_failing),
    fixed: category(buckets.fixed),
    still_failing: category(buckets.still_failing),
    added: category(buckets.added),
    removed: category(buckets.removed),
    slower: category(buckets.slower, true),
  };
}
