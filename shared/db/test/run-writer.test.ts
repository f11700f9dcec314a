import { describe, expect, it } from 'vitest';
import { RunFinishedSchema, RunStartedSchema, RunTestsSchema, type StreamEntry } from '@pytest-platform/schema';
import { findRun, listRunFailures, listRuns, markStaleRunsInterrupted } from '@pytest-platform/db';
import { dialects, run, storeWithWriter } from './helpers.js';

describe.each(dialects)('run ctx.writer on %s', (dialect) => {
const ctx = storeWithWriter(dialect);

const header = {
  run_id: 'live-1', project: 'svc', branch: 'main', commit: 'abc', worker_id: 'w1',
  framework: 'pytest', started_at: '2026-11-26T10:00:00.000Z',
};

  it('stores a whole run once however often it is delivered', async () => {
    const entry: StreamEntry = {
      type: 'run',
      data: run({ run_id: 'r1', status: 'failed', tests: [
        { nodeid: 'a', outcome: 'passed' },
        { nodeid: 'b', outcome: 'failed', message: 'boom', longrepr: 'Traceback…' },
      ] }),
    };
    await ctx.writer.write([entry]);
    await ctx.writer.write([entry, entry]);
    const page = await listRuns(ctx.store.db, { limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ run_id: 'r1', status: 'failed', summary: { total: 2, passed: 1, failed: 1 }, pass_rate: 0.5 });
    const count = await ctx.store.db.selectFrom('results').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
    const found = await findRun(ctx.store.db, 'r1');
    expect(await listRunFailures(ctx.store.db, found!.pk)).toEqual([
      expect.objectContaining({ nodeid: 'b', outcome: 'failed', message: 'boom', longrepr: 'Traceback…' }),
    ]);
  });

  it('assembles a live run from entries in any order, with repeats', async () => {
    const started: StreamEntry = { type: 'run.started', data: RunStartedSchema.parse(header) };
    const batch1: StreamEntry = { type: 'run.tests', data: RunTestsSchema.parse({ ...header, seq: 0, tests: [{ nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'failed' }] }) };
    const batch2: StreamEntry = { type: 'run.tests', data: RunTestsSchema.parse({ ...header, seq: 1, tests: [{ nodeid: 'c', outcome: 'skipped' }, { nodeid: 'd', outcome: 'passed', attempts: 2 }] }) };
    const finished: StreamEntry = { type: 'run.finished', data: RunFinishedSchema.parse({ ...header, finished_at: '2026-11-26T10:01:00.000Z', duration: 60, status: 'failed' }) };

    await ctx.writer.write([batch2]);
    let live = await findRun(ctx.store.db, 'live-1');
    expect(live).toMatchObject({ status: 'running', summary: { total: 2, skipped: 1, passed: 1, flaky: 1 } });

    await ctx.writer.write([finished, batch1, started, batch2]);
    live = await findRun(ctx.store.db, 'live-1');
    expect(live).toMatchObject({
      status: 'failed', duration: 60, finished_at: '2026-11-26T10:01:00.000Z',
      summary: { total: 4, passed: 2, failed: 1, skipped: 1, errors: 0, flaky: 1 },
    });
    expect(live!.pass_rate).toBeCloseTo(2 / 3);
  });

  it('keeps the summary a producer sent over counts of stored results', async () => {
    const finished: StreamEntry = { type: 'run.finished', data: RunFinishedSchema.parse({
      ...header, finished_at: '2026-11-26T10:01:00.000Z', status: 'passed',
      summary: { total: 5, passed: 5, failed: 0, skipped: 0, errors: 0 },
    }) };
    const batch: StreamEntry = { type: 'run.tests', data: RunTestsSchema.parse({ ...header, tests: [{ nodeid: 'a', outcome: 'passed' }] }) };
    await ctx.writer.write([finished, batch]);
    expect(await findRun(ctx.store.db, 'live-1')).toMatchObject({ status: 'passed', summary: { total: 5, passed: 5 } });
  });

  it('marks a running run that went silent as interrupted, keeping its tests', async () => {
    await ctx.writer.write([{ type: 'run.tests', data: RunTestsSchema.parse({ ...header, tests: [{ nodeid: 'a', outcome: 'failed' }] }) }], 1_000);
    expect(await markStaleRunsInterrupted(ctx.store.db, 500)).toEqual([]);
    expect(await markStaleRunsInterrupted(ctx.store.db, 2_000)).toEqual(['live-1']);
    expect(await findRun(ctx.store.db, 'live-1')).toMatchObject({ status: 'interrupted', summary: { total: 1, failed: 1 } });
  });

  it('writes nothing of a batch that fails part-way', async () => {
    const good: StreamEntry = { type: 'run', data: run({ run_id: 'ok', tests: [{ nodeid: 'a', outcome: 'passed' }] }) };
    const bad = { type: 'run', data: { ...run({ run_id: 'bad' }), started_at: 'not a date' } } as StreamEntry;
    await expect(ctx.writer.write([good, bad])).rejects.toThrow();
    expect((await listRuns(ctx.store.db, { limit: 10 })).items).toEqual([]);
    await ctx.writer.write([good]);
    expect((await listRuns(ctx.store.db, { limit: 10 })).items).toHaveLength(1);
  });
});
