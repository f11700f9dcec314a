import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { RunFinishedSchema, RunStartedSchema, RunTestsSchema, type StreamEntry } from '@pytest-platform/schema';
import { deleteRunsStartedBefore, getFailureStats, type Db } from '@pytest-platform/db';
import { dialects, run, storeWithWriter } from './helpers.js';

const DAY = 86_400_000;
const D0 = Date.parse('2026-11-20T00:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

/** The rollups as they should be: recounted from every stored result. */
async function recounted(db: Db) {
  const { rows: tests } = await sql<Record<string, unknown>>`
    SELECT runs.project AS project, results.test_id AS test_id, runs.started_at / 86400000 AS day,
           coalesce(runs.branch, '') AS branch, count(*) AS runs
    FROM results JOIN runs ON runs.id = results.run_id
    GROUP BY runs.project, results.test_id, runs.started_at / 86400000, coalesce(runs.branch, '')
    ORDER BY 1, 2, 3, 4`.execute(db);
  const { rows: failures } = await sql<Record<string, unknown>>`
    SELECT runs.project AS project, runs.started_at / 86400000 AS day, coalesce(runs.branch, '') AS branch,
           results.signature AS signature, results.test_id AS test_id, count(*) AS failures
    FROM results JOIN runs ON runs.id = results.run_id
    WHERE results.outcome IN ('failed', 'error')
    GROUP BY runs.project, runs.started_at / 86400000, coalesce(runs.branch, ''), results.signature, results.test_id
    ORDER BY 1, 2, 3, 4, 5`.execute(db);
  return normalize({ tests, failures });
}

async function rolledUp(db: Db) {
  const tests = await db.selectFrom('test_days').select(['project', 'test_id', 'day', 'branch', 'runs'])
    .where('runs', '>', 0).orderBy('project').orderBy('test_id').orderBy('day').orderBy('branch').execute();
  const failures = await db.selectFrom('failure_days').select(['project', 'day', 'branch', 'signature', 'test_id', 'failures'])
    .where('failures', '>', 0).orderBy('project').orderBy('day').orderBy('branch').orderBy('signature').orderBy('test_id').execute();
  return normalize({ tests, failures });
}

// Counts come back as strings or bigints on some drivers.
const normalize = (value: { tests: unknown[]; failures: unknown[] }) => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)), (_k, v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v));

describe.each(dialects)('per-day rollups on %s', (dialect) => {
  const ctx = storeWithWriter(dialect);

  const finished = (runId: string, day: number, branch: string | null, tests: { nodeid: string; outcome: string; message?: string }[], project = 'svc'): StreamEntry => ({
    type: 'run',
    data: run({ run_id: runId, project, branch, started_at: at(D0 + day * DAY + 3_600_000), finished_at: at(D0 + day * DAY + 3_660_000), tests } as never),
  });

  it('stay equal to a recount of the results through repeats, replaced outcomes, live runs and retention', async () => {
    const r1 = finished('r1', 0, 'main', [{ nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'failed', message: 'ValueError: 1' }]);
    const r2 = finished('r2', 1, null, [{ nodeid: 'a', outcome: 'error', message: 'fixture' }, { nodeid: 'b', outcome: 'failed', message: 'ValueError: 2' }]);
    const r3 = finished('r3', 1, 'dev', [{ nodeid: 'a', outcome: 'failed', message: 'TypeError: x' }], 'other');
    await ctx.writer.write([r1, r1]);
    await ctx.writer.write([r2, r3, r1]);

    // A live run whose later entries replace outcomes: b fails then passes, c passes then fails.
    const header = { run_id: 'live', project: 'svc', branch: 'main', worker_id: 'w1', framework: 'pytest', started_at: at(D0 + 2 * DAY + 60_000) };
    const tests = (seq: number, t: { nodeid: string; outcome: string; message?: string }[]): StreamEntry => ({ type: 'run.tests', data: RunTestsSchema.parse({ ...header, seq, tests: t }) });
    await ctx.writer.write([{ type: 'run.started', data: RunStartedSchema.parse(header) }, tests(0, [{ nodeid: 'b', outcome: 'failed', message: 'ValueError: 3' }, { nodeid: 'c', outcome: 'passed' }])]);
    await ctx.writer.write([tests(1, [{ nodeid: 'b', outcome: 'passed' }, { nodeid: 'c', outcome: 'failed', message: 'OSError: disk' }]), tests(0, [{ nodeid: 'a', outcome: 'failed', message: 'boom' }])]);
    await ctx.writer.write([{ type: 'run.finished', data: RunFinishedSchema.parse({ ...header, finished_at: at(D0 + 2 * DAY + 120_000), duration: 60, status: 'failed' }) }]);

    const expected = await recounted(ctx.store.db);
    expect(expected.failures.length).toBeGreaterThan(4);
    expect(await rolledUp(ctx.store.db)).toEqual(expected);
    const liveFailures = expected.failures.filter((f: { day: number; project: string }) => f.day === D0 / DAY + 2 && f.project === 'svc');
    expect(liveFailures).toHaveLength(2); // a (boom) and c (disk); b passed in the end

    const stats = await getFailureStats(ctx.store.db, { project: 'svc', since: D0, limit: 10 });
    expect(stats.map((s) => [s.nodeid, s.failures, s.runs, s.last_message])).toEqual([
      ['a', 2, 3, 'boom'], ['b', 2, 3, 'ValueError: 2'], ['c', 1, 1, 'OSError: disk'],
    ]);
    expect(stats[0]!.last_failed_at).toBe(header.started_at);
    // From inside the first day: that day's part read from the results, the later days from the rollups.
    const fromMidDay = await getFailureStats(ctx.store.db, { project: 'svc', since: D0 + 2 * 3_600_000, limit: 10 });
    expect(fromMidDay.map((s) => [s.nodeid, s.failures, s.runs, s.last_message])).toEqual([
      ['a', 2, 2, 'boom'], ['c', 1, 1, 'OSError: disk'], ['b', 1, 2, 'ValueError: 2'],
    ]);
    const beforeR1 = await getFailureStats(ctx.store.db, { project: 'svc', since: D0 + 1_800_000, limit: 10 });
    expect(beforeR1).toEqual(stats);

    // Retention takes the deleted runs out of the rollups.
    expect(await deleteRunsStartedBefore(ctx.store.db, D0 + DAY)).toBe(1);
    expect(await rolledUp(ctx.store.db)).toEqual(await recounted(ctx.store.db));
    expect(await deleteRunsStartedBefore(ctx.store.db, D0 + 2 * DAY)).toBe(2);
    const left = await rolledUp(ctx.store.db);
    expect(left).toEqual(await recounted(ctx.store.db));
    expect(left.tests.every((t: { day: number }) => t.day === D0 / DAY + 2)).toBe(true);
  });
});
