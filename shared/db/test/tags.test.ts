import { describe, expect, it } from 'vitest';
import { RunTestsSchema, type TestResultInput } from '@pytest-platform/schema';
import { findRun, getFailureStats, listFlakyTests, listRunTests } from '@pytest-platform/db';
import { dialects, run, storeWithWriter } from './helpers.js';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

describe.each(dialects)('test tags on %s', (dialect) => {
  const ctx = storeWithWriter(dialect);

  const write = (runId: string, tests: TestResultInput[], overrides: Record<string, unknown> = {}) =>
    ctx.writer.write([{ type: 'run', data: run({ run_id: runId, status: 'failed', started_at: at(T0), tests, ...overrides }) }]);
  const runTests = async (runId: string, filter: { tag?: string; limit?: number } = {}) =>
    listRunTests(ctx.store.db, (await findRun(ctx.store.db, runId))!.pk, { limit: 1000, ...filter });
  const count = async (table: 'test_tags' | 'results') =>
    Number((await ctx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it("stores each result's tags once however often it is delivered, and filters a run's tests by exact tag", async () => {
    const tests: TestResultInput[] = [
      { nodeid: 'a', outcome: 'passed', tags: ['slow', 'db', 'slow'] },
      { nodeid: 'b', outcome: 'failed', tags: ['slow-ish', 'SLOW'], quarantined: false },
      { nodeid: 'c', outcome: 'passed' },
      { nodeid: 'd', outcome: 'skipped', tags: [] },
    ];
    await write('r1', tests);
    await write('r1', tests);
    expect(await runTests('r1')).toEqual([
      { nodeid: 'a', outcome: 'passed', duration: 0, attempts: 1, message: null, tags: ['slow', 'db'], quarantined: false },
      { nodeid: 'b', outcome: 'failed', duration: 0, attempts: 1, message: null, tags: ['slow-ish', 'SLOW'], quarantined: false },
      { nodeid: 'c', outcome: 'passed', duration: 0, attempts: 1, message: null, tags: [], quarantined: false },
      { nodeid: 'd', outcome: 'skipped', duration: 0, attempts: 1, message: null, tags: [], quarantined: false },
    ]);
    expect((await runTests('r1', { tag: 'slow' })).map((t) => t.nodeid)).toEqual(['a']);
    expect((await runTests('r1', { tag: 'SLOW' })).map((t) => t.nodeid)).toEqual(['b']);
    expect(await runTests('r1', { tag: 'slo' })).toEqual([]);
    expect(await count('test_tags')).toBe(4);
    // Untagged results keep the column empty: nothing is written for them.
    const stored = await ctx.store.db.selectFrom('results').select(['tags']).orderBy('test_id').execute();
    expect(stored.map((r) => r.tags)).toEqual(['["slow","db"]', '["slow-ish","SLOW"]', null, null]);
  });

  it('a run without tags writes no tag rows', async () => {
    await write('plain', [{ nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'failed' }]);
    expect(await count('test_tags')).toBe(0);
    expect(await ctx.store.db.selectFrom('results').select('tags').where('tags', 'is not', null).execute()).toEqual([]);
  });

  it('keeps tags that live entries carry, and answers for the run the test carried them in', async () => {
    const header = { run_id: 'live', project: 'svc', branch: 'main', worker_id: 'w', started_at: at(T0) };
    await ctx.writer.write([{ type: 'run.tests', data: RunTestsSchema.parse({ ...header, tests: [{ nodeid: 'a', outcome: 'passed', tags: ['smoke'] }] }) }]);
    await ctx.writer.write([{ type: 'run.tests', data: RunTestsSchema.parse({ ...header, seq: 1, tests: [{ nodeid: 'b', outcome: 'passed', tags: ['smoke'] }] }) }]);
    expect((await runTests('live', { tag: 'smoke' })).map((t) => t.nodeid)).toEqual(['a', 'b']);
    // Next run: a lost its tag. The tag index still lists it; the run's own tags decide.
    await write('next', [{ nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'passed', tags: ['smoke'] }]);
    expect((await runTests('next', { tag: 'smoke' })).map((t) => t.nodeid)).toEqual(['b']);
    expect((await runTests('live', { tag: 'smoke' })).map((t) => t.nodeid)).toEqual(['a', 'b']);
  });

  it('fills the limit past tests that no longer carry the tag', async () => {
    const nodeid = (i: number) => `t${String(i).padStart(4, '0')}`;
    const many = (tagged: (i: number) => boolean): TestResultInput[] =>
      Array.from({ length: 1200 }, (_, i) => ({ nodeid: nodeid(i), outcome: 'passed', ...(tagged(i) ? { tags: ['x'] } : {}) }));
    await write('before', many(() => true));
    await write('after', many((i) => i >= 1100));
    expect((await runTests('after', { tag: 'x', limit: 3 })).map((t) => t.nodeid)).toEqual([nodeid(1100), nodeid(1101), nodeid(1102)]);
    expect(await runTests('after', { tag: 'x' })).toHaveLength(100);
  });

  it('narrows /failures/stats to tagged tests, over whole days and a partial first day', async () => {
    for (const [i, start] of [T0, T0 + HOUR, T0 + 25 * HOUR].entries()) {
      await write(`s${i}`, [
        { nodeid: 'tagged', outcome: 'failed', message: 'x', tags: ['flaky-net'] },
        { nodeid: 'untagged', outcome: 'failed', message: 'y' },
        { nodeid: 'tagged_ok', outcome: 'passed', tags: ['flaky-net'] },
      ], { started_at: at(start) });
    }
    await write('other', [{ nodeid: 'elsewhere', outcome: 'failed', tags: ['flaky-net'] }], { project: 'other', started_at: at(T0) });

    const midnight = Math.floor(T0 / (24 * HOUR)) * 24 * HOUR;
    const whole = await getFailureStats(ctx.store.db, { project: 'svc', tag: 'flaky-net', since: midnight, limit: 20 });
    expect(whole.map((s) => [s.nodeid, s.failures, s.runs])).toEqual([['tagged', 3, 3]]);
    const partial = await getFailureStats(ctx.store.db, { project: 'svc', tag: 'flaky-net', since: T0 + 30 * 60_000, limit: 20 });
    expect(partial.map((s) => [s.nodeid, s.failures, s.runs])).toEqual([['tagged', 2, 2]]);
    const everywhere = await getFailureStats(ctx.store.db, { tag: 'flaky-net', since: midnight, limit: 20 });
    expect(everywhere.map((s) => [s.project, s.nodeid]).sort()).toEqual([['other', 'elsewhere'], ['svc', 'tagged']]);
    expect(await getFailureStats(ctx.store.db, { project: 'svc', tag: 'nope', since: midnight, limit: 20 })).toEqual([]);
    expect((await getFailureStats(ctx.store.db, { project: 'svc', since: midnight, limit: 20 })).map((s) => s.nodeid).sort()).toEqual(['tagged', 'untagged']);
  });

  it('narrows /flaky to tagged tests', async () => {
    for (let i = 0; i < 4; i++) {
      await write(`f${i}`, [
        { nodeid: 'flip_tagged', outcome: i % 2 ? 'failed' : 'passed', tags: ['ui'] },
        { nodeid: 'flip_plain', outcome: i % 2 ? 'failed' : 'passed' },
      ], { started_at: at(T0 + i * HOUR), commit: `c${i}` });
    }
    const all = await listFlakyTests(ctx.store.db, { project: 'svc', window: 10, limit: 10 });
    expect(all.items.map((t) => t.nodeid).sort()).toEqual(['flip_plain', 'flip_tagged']);
    const tagged = await listFlakyTests(ctx.store.db, { project: 'svc', tag: 'ui', window: 10, limit: 10 });
    expect(tagged.items.map((t) => t.nodeid)).toEqual(['flip_tagged']);
    expect((await listFlakyTests(ctx.store.db, { project: 'svc', tag: 'api', window: 10, limit: 10 })).items).toEqual([]);
  });
});
