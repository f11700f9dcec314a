import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { RunFinishedSchema, RunStartedSchema, RunTestsSchema, type StreamEntry } from '@pytest-platform/schema';
import {
  compareRuns, deleteRunsStartedBefore, findRun, listClassifiedRunFailures, listFlakyTests, listSlowestTests, migrateToLatest, type Db,
} from '@pytest-platform/db';
import { dialects, run, storeWithWriter } from './helpers.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
const NODEIDS = ['t::a', 't::b', 't::c', 't::d', 't::e', 't::f'];

type Test = { nodeid: string; outcome: string; duration: number; attempts: number; message?: string };

/** Test `k` of run `i`: a, b flip; c passes after retries now and then; d always fails; e is skipped or slow; f drifts slower. */
function testOf(i: number, k: number, salt = 0): Test {
  const nodeid = NODEIDS[k]!;
  const duration = 0.1 * (k + 1) + ((i * 7 + k * 3 + salt) % 5) / 100 + (k === 5 ? i / 50 : 0);
  const outcome = k === 0 ? (i % 3 === 0 ? 'failed' : 'passed') : k === 1 ? ((i + salt) % 2 ? 'error' : 'passed')
    : k === 3 ? 'failed' : k === 4 ? (i % 4 === 0 ? 'skipped' : 'passed') : 'passed';
  const attempts = k === 2 && i % 5 === 1 ? 3 : 1;
  return { nodeid, outcome, duration, attempts, ...(outcome === 'failed' || outcome === 'error' ? { message: `AssertionError: ${i}` } : {}) };
}

const whole = (i: number, branch: string, salt = 0): StreamEntry => ({
  type: 'run',
  data: run({
    run_id: `r${i}`, branch, commit: `c${i >> 1}`, started_at: at(T0 + i * MIN), finished_at: at(T0 + i * MIN + 10_000),
    tests: NODEIDS.slice(0, i % 7 === 6 ? 5 : 6).map((_, k) => testOf(i, k, salt)),
  } as never),
});

/** Every answer that reads run digests, for the newest runs and one run in the middle. */
async function answers(db: Db) {
  const base = await findRun(db, 'r18');
  const head = await findRun(db, 'live');
  const side = (r: NonNullable<typeof base>) => ({ pk: r.pk, run_id: r.run_id, project: r.project, branch: r.branch, commit: r.commit, started_at: r.started_at });
  return {
    flaky: await listFlakyTests(db, { project: 'svc', window: 30, limit: 50 }),
    flakyMain: await listFlakyTests(db, { project: 'svc', branch: 'main', window: 5, limit: 50 }),
    slowest: await listSlowestTests(db, { project: 'svc', runs: 10, limit: 50 }),
    slowestFeature: await listSlowestTests(db, { project: 'svc', branch: 'feature', runs: 4, limit: 50 }),
    compare: await compareRuns(db, side(base!), side(head!), { limit: 50 }),
    classified: await listClassifiedRunFailures(db, head!.pk, { limit: 100 }),
    classifiedMiddle: await listClassifiedRunFailures(db, (await findRun(db, 'r15'))!.pk, { limit: 100 }),
  };
}

const digests = (db: Db) => db.selectFrom('run_digests').select(['run_id', 'tests']).orderBy('run_id').execute()
  .then((rows) => rows.map((r) => [r.run_id, Buffer.from(r.tests).toString('hex')]));

describe.each(dialects)('run digests on %s', (dialect) => {
  const ctx = storeWithWriter(dialect);

  it('answer what the results answer through re-delivery, replaced outcomes, live runs and retention', async () => {
    for (let i = 0; i < 24; i += 4) await ctx.writer.write([0, 1, 2, 3].map((j) => whole(i + j, (i + j) % 3 ? 'main' : 'feature')));
    // Re-delivery: the same run again, and a run sent again with other outcomes and durations.
    await ctx.writer.write([whole(5, 'main'), whole(9, 'main', 1), whole(9, 'main', 1)]);
    // A live run over three batches, a chunk repeated and one result replaced, still running at first.
    const header = { run_id: 'live', project: 'svc', branch: 'main', commit: 'c11', worker_id: 'w1', framework: 'pytest', started_at: at(T0 + 30 * MIN) };
    const chunk = (seq: number, tests: Test[]): StreamEntry => ({ type: 'run.tests', data: RunTestsSchema.parse({ ...header, seq, tests }) });
    await ctx.writer.write([{ type: 'run.started', data: RunStartedSchema.parse(header) }, chunk(0, [testOf(30, 0), testOf(30, 1), testOf(30, 3)])]);
    const running = await answers(ctx.store.db);
    expect(running.classified.items.map((f) => f.nodeid)).toEqual(['t::a', 't::d']);
    await ctx.writer.write([chunk(0, [testOf(30, 0), testOf(30, 1), testOf(30, 3)]), chunk(1, [testOf(30, 2), testOf(30, 4), { ...testOf(30, 1), outcome: 'failed', message: 'late' }])]);
    await ctx.writer.write([{ type: 'run.finished', data: RunFinishedSchema.parse({ ...header, finished_at: at(T0 + 31 * MIN), duration: 60, status: 'failed' }) }]);
    // Retention: the oldest runs go, with their digests.
    expect(await deleteRunsStartedBefore(ctx.store.db, T0 + 4 * MIN)).toBe(4);

    const kept = await answers(ctx.store.db);
    const keptDigests = await digests(ctx.store.db);
    expect(kept.flaky.items.map((t) => t.nodeid).sort()).toEqual(['t::a', 't::b', 't::c']);
    expect(kept.slowest.items[0]!.nodeid).toBe('t::f');
    expect(kept.compare.newly_failing.count + kept.compare.still_failing.count).toBeGreaterThan(0);
    expect(kept.classified.items.length).toBe(3);
    expect(keptDigests.map(([id]) => id)).toEqual((await ctx.store.db.selectFrom('results').select('run_id').distinct().orderBy('run_id').execute()).map((r) => r.run_id));

    // Recomputed from the raw results: the digests built again by their migration's backfill.
    await sql`DROP TABLE run_digests`.execute(ctx.store.db);
    // Migrations apply in name order: the later ones are run again after it (each may run twice).
    await sql`DELETE FROM kysely_migration WHERE name >= '0007-run-digests'`.execute(ctx.store.db);
    const said: string[] = [];
    await migrateToLatest(ctx.store.db, dialect, (message) => said.push(message));
    expect(said[0]).toBe('applying database migration 0007-run-digests');
    expect(await digests(ctx.store.db)).toEqual(keptDigests);
    expect(await answers(ctx.store.db)).toEqual(kept);
  });
});
