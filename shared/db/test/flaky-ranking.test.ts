import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { flakyKinds, type Outcome } from '@pytest-platform/schema';
import { assessFlakiness, listFlakyTests, MIN_FLAKY_FLIPS, type Db, type TestOutcome } from '@pytest-platform/db';
import { dialects, random, run, storeWithWriter } from './helpers.js';

const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const OUTCOMES: Outcome[] = ['passed', 'passed', 'passed', 'passed', 'failed', 'error', 'skipped', 'xfailed'];

type Raw = { run: { run_id: string; branch: string | null }; outcome: TestOutcome };

/** `/flaky` recomputed from the raw results: the flaky rules per test over the whole window and per branch. */
async function recomputed(db: Db, window: number, branch?: string) {
  let runsQuery = db.selectFrom('runs').select(['id', 'run_id', 'branch', 'commit_sha']).where('project', '=', 'svc').where('status', '!=', 'running');
  if (branch !== undefined) runsQuery = runsQuery.where('branch', '=', branch);
  const runs = (await runsQuery.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(window).execute()).reverse();
  const { rows } = await sql<{ run_id: number; test_id: number; nodeid: string; file: string | null; outcome: Outcome; attempts: number }>`
    SELECT results.run_id, results.test_id, tests.nodeid, tests.file, results.outcome, results.attempts
    FROM results JOIN tests ON tests.id = results.test_id WHERE results.run_id IN (${sql.join(runs.length > 0 ? runs.map((r) => r.id) : [-1])})`.execute(db);
  const byTest = new Map<number, { nodeid: string; file: string | null; list: Raw[] }>();
  for (const r of runs) {
    for (const row of rows.filter((x) => x.run_id === r.id).sort((a, b) => a.test_id - b.test_id)) {
      const entry = byTest.get(row.test_id) ?? { nodeid: row.nodeid, file: row.file, list: [] };
      entry.list.push({ run: r, outcome: { run_id: r.run_id, outcome: row.outcome, attempts: row.attempts, commit: r.commit_sha } });
      byTest.set(row.test_id, entry);
    }
  }
  const items = [];
  for (const [testId, { nodeid, file, list }] of byTest) {
    const failed = list.filter((l) => l.outcome.outcome === 'failed' || l.outcome.outcome === 'error').length;
    const retried = list.some((l) => l.outcome.outcome === 'passed' && l.outcome.attempts > 1);
    if (!retried && (failed === 0 || failed === runs.length)) continue;
    const all = assessFlakiness(list.map((l) => l.outcome));
    const branches = new Map<string, TestOutcome[]>();
    for (const l of list) branches.set(l.run.branch ?? '\u0000', [...(branches.get(l.run.branch ?? '\u0000') ?? []), l.outcome]);
    const perBranch = [...branches.values()].map((seq) => assessFlakiness(seq));
    const flips = perBranch.reduce((n, b) => n + b.flips, 0);
    const pairs = perBranch.reduce((n, b) => n + Math.max(b.runs - 1, 0), 0);
    const evidence = { retry: all.evidence.retry, same_commit: all.evidence.same_commit, flip: perBranch.flatMap((b) => b.evidence.flip) };
    const kinds = flakyKinds.filter((k) => evidence[k].length > 0);
    if (kinds.length === 0) continue;
    items.push({
      test_id: testId, evidenceRuns: new Set([...evidence.retry, ...evidence.same_commit, ...evidence.flip]).size,
      item: {
        nodeid, file, kinds, runs: all.runs, passed: all.passed, failed: all.failed, flips, flip_rate: pairs === 0 ? null : flips / pairs,
        last_run_id: list.at(-1)!.run.run_id,
        evidence: { retry: evidence.retry.slice(-20), same_commit: evidence.same_commit.slice(-20), flip: flips >= MIN_FLAKY_FLIPS ? evidence.flip.slice(-20) : [] },
      },
    });
  }
  items.sort((a, b) => (b.item.flip_rate ?? -1) - (a.item.flip_rate ?? -1) || b.evidenceRuns - a.evidenceRuns || a.test_id - b.test_id);
  return { project: 'svc', branch: branch ?? null, window: runs.length, items: items.map((i) => i.item) };
}

describe.each(dialects)('/flaky from run digests on %s', (dialect) => {
  const ctx = storeWithWriter(dialect);

  it.each([1, 2, 3])('ranks and lists what the raw results say, history %i', async (seed) => {
    const next = random(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    for (let i = 0; i < 36; i += 6) {
      const batch = [];
      for (let j = i; j < i + 6; j++) {
        const tests = Array.from({ length: 10 }, (_, k) => ({ nodeid: `t::${k}`, file: 't.py', outcome: k === 9 ? 'failed' : pick(OUTCOMES), attempts: next() < 0.1 ? 2 : 1, duration: 0.1 }))
          .filter(() => next() > 0.1);
        batch.push({ type: 'run' as const, data: run({ run_id: `r${j}`, branch: pick(['main', 'main', 'dev', null]), commit: `c${Math.floor(j / 3)}`, started_at: new Date(T0 + j * 60_000).toISOString(), tests } as never) });
      }
      await ctx.writer.write(batch);
    }
    const whole = await recomputed(ctx.store.db, 30);
    expect(new Set(whole.items.flatMap((t) => t.kinds))).toEqual(new Set(flakyKinds));
    for (const [window, branch] of [[30, undefined], [8, undefined], [12, 'main'], [5, 'dev']] as const) {
      const expected = await recomputed(ctx.store.db, window, branch);
      expect(await listFlakyTests(ctx.store.db, { project: 'svc', branch, window, limit: 500 })).toEqual(expected);
      expect(await listFlakyTests(ctx.store.db, { project: 'svc', branch, window, limit: 3 })).toEqual({ ...expected, items: expected.items.slice(0, 3) });
    }
  });
});
