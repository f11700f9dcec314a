import type { CompareCategory, CompareTest, Outcome, RunComparison } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { chunks, probeResults, testsById } from './run-window.js';

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

type Row = { test_id: number; outcome: Outcome; duration: number };
type Entry = [number, Row | undefined, Row | undefined];
const failing = (o: Outcome) => o === 'failed' || o === 'error';
const executed = (o: Outcome) => o !== 'skipped';

/**
 * What changed from `base` to `head` (two runs of one project): newly failing, fixed, still failing,
 * added and removed tests, and duration regressions. Reads the two runs' digests, and the messages of
 * the failures it lists by primary key.
 */
export async function compareRuns(db: Db, base: ComparedRun, head: ComparedRun, options: CompareOptions): Promise<RunComparison> {
  const [baseRows, headRows] = await Promise.all([probeResults(db, [base.pk]), probeResults(db, [head.pk])]);
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
  const listed = (Object.keys(buckets) as CompareCategory[]).map((c) => ({ c, entries: sortCategory(buckets[c], nodeid, c === 'slower').slice(0, options.limit) }));
  const messages = await failureMessages(db, base.pk, head.pk, listed.flatMap((l) => l.entries));
  const item = ([id, b, h]: Entry): CompareTest => ({
    nodeid: nodeid(id),
    base_outcome: b?.outcome ?? null,
    head_outcome: h?.outcome ?? null,
    base_duration: b?.duration ?? null,
    head_duration: h?.duration ?? null,
    message: (h && failing(h.outcome) ? messages.get(`${head.pk}:${id}`) : b && failing(b.outcome) ? messages.get(`${base.pk}:${id}`) : null) ?? null,
  });
  const category = (c: CompareCategory) => ({ count: buckets[c].length, items: listed.find((l) => l.c === c)!.entries.map(item) });
  const header = (r: ComparedRun) => ({ run_id: r.run_id, project: r.project, branch: r.branch, commit: r.commit, started_at: r.started_at });
  return {
    base: header(base),
    head: header(head),
    newly_failing: category('newly_failing'),
    fixed: category('fixed'),
    still_failing: category('still_failing'),
    added: category('added'),
    removed: category('removed'),
    slower: category('slower'),
  };
}

/** A category's entries in listing order: by node id, or the largest slow-down first. */
function sortCategory(entries: readonly Entry[], nodeid: (id: number) => string, slower: boolean): Entry[] {
  return slower
    ? [...entries].sort((x, y) => (y[2]!.duration - y[1]!.duration) - (x[2]!.duration - x[1]!.duration) || nodeid(x[0]).localeCompare(nodeid(y[0])))
    : [...entries].sort((x, y) => (nodeid(x[0]) < nodeid(y[0]) ? -1 : nodeid(x[0]) > nodeid(y[0]) ? 1 : 0));
}

/** The messages of the listed failures, `run:test` → message: the head's when it failed there, else the base's. */
async function failureMessages(db: Db, basePk: number, headPk: number, entries: readonly Entry[]): Promise<Map<string, string | null>> {
  const fromHead = entries.filter(([, , h]) => h && failing(h.outcome)).map(([id]) => id);
  const fromBase = entries.filter(([, b, h]) => !(h && failing(h.outcome)) && b && failing(b.outcome)).map(([id]) => id);
  const out = new Map<string, string | null>();
  for (const [runPk, ids] of [[headPk, fromHead], [basePk, fromBase]] as const) {
    for (const chunk of chunks(ids)) {
      const rows = await db.selectFrom('results').select(['test_id', 'message']).where('run_id', '=', runPk).where('test_id', 'in', chunk).execute();
      for (const r of rows) out.set(`${runPk}:${r.test_id}`, r.message);
    }
  }
  return out;
}
