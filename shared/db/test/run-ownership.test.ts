import { describe, expect, it } from 'vitest';
import { RunFinishedSchema, RunStartedSchema, RunTestsSchema, type StreamEntry } from '@pytest-platform/schema';
import { findRun, findRunOwner, RunIdTakenError, type Store } from '@pytest-platform/db';
import { dialects, run, storeWithWriter } from './helpers.js';

/** Every row of every table the run writer touches, in a stable order: what "nothing changed" compares. */
async function snapshot(store: Store): Promise<string> {
  const tables = ['runs', 'tests', 'results', 'workers', 'builds', 'test_days', 'failure_days', 'test_tags'] as const;
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    const all = (await store.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    rows[table] = all.map((row) => JSON.stringify(row, Object.keys(row).sort())).sort();
  }
  return JSON.stringify(rows);
}

const owned = (planted: Partial<Parameters<typeof run>[0]> = {}) => run({
  run_id: 'shared-id', project: 'my-service', status: 'failed', build_id: 'b1',
  tests: [{ nodeid: 'tests/test_a.py::test_ok', outcome: 'passed' }, { nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', message: 'boom' }],
  ...planted,
});

const header = { run_id: 'shared-id', project: 'attacker-proj', branch: 'main', worker_id: 'evil', started_at: '2026-11-26T10:00:00.000Z' };

describe.each(dialects)('a run id belongs to the project that first stored it, on %s', (dialect) => {
  const ctx = storeWithWriter(dialect);

  it('refuses a whole run of another project with the same run_id (RunIdTakenError naming both projects) and changes nothing', async () => {
    await ctx.writer.write([{ type: 'run', data: owned() }]);
    const before = await snapshot(ctx.store);
    const planted: StreamEntry = {
      type: 'run',
      data: owned({
        project: 'attacker-proj', status: 'passed', build_id: 'evil-build',
        summary: { total: 999, passed: 999, failed: 0, skipped: 0, errors: 0 },
        tests: [{ nodeid: 'planted', outcome: 'failed', message: 'planted' }],
      }),
    };
    const error = await ctx.writer.write([planted]).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunIdTakenError);
    expect(error).toMatchObject({ code: 'run_id_taken', runId: 'shared-id', project: 'attacker-proj', owner: 'my-service' });
    expect((error as Error).message).toBe(
      'run_id "shared-id" belongs to project "my-service"; an entry of project "attacker-proj" may not change it (use a new run_id)',
    );
    expect(await snapshot(ctx.store)).toBe(before);
    expect(await findRun(ctx.store.db, 'shared-id')).toMatchObject({ project: 'my-service', status: 'failed', summary: { total: 2, passed: 1, failed: 1 } });
    expect(await findRunOwner(ctx.store.db, 'shared-id')).toBe('my-service');
    expect(await findRunOwner(ctx.store.db, 'no-such-run')).toBeNull();
  });

  it('refuses every live entry of another project (run.started, run.tests, run.finished) and changes nothing', async () => {
    await ctx.writer.write([{ type: 'run', data: owned() }]);
    const before = await snapshot(ctx.store);
    const entries: StreamEntry[] = [
      { type: 'run.started', data: RunStartedSchema.parse(header) },
      { type: 'run.tests', data: RunTestsSchema.parse({ ...header, tests: [{ nodeid: 'planted', outcome: 'failed' }] }) },
      { type: 'run.finished', data: RunFinishedSchema.parse({ ...header, finished_at: '2026-11-26T10:00:05.000Z', status: 'passed', summary: { total: 9, passed: 9, failed: 0, skipped: 0, errors: 0 } }) },
    ];
    for (const entry of entries) {
      await expect(ctx.writer.write([entry]), entry.type).rejects.toBeInstanceOf(RunIdTakenError);
      expect(await snapshot(ctx.store), entry.type).toBe(before);
    }
  });

  it('a batch holding a refused entry is written whole or not at all; two projects with a new id in one batch: the second is refused, naming the first as the owner', async () => {
    await ctx.writer.write([{ type: 'run', data: owned() }]);
    const before = await snapshot(ctx.store);
    const other = run({ run_id: 'innocent', project: 'my-service', tests: [{ nodeid: 'x', outcome: 'passed' }] });
    await expect(ctx.writer.write([{ type: 'run', data: other }, { type: 'run', data: owned({ project: 'attacker-proj' }) }])).rejects.toBeInstanceOf(RunIdTakenError);
    expect(await snapshot(ctx.store)).toBe(before);

    const first = run({ run_id: 'fresh-id', project: 'first-proj' });
    const second = run({ run_id: 'fresh-id', project: 'second-proj' });
    await expect(ctx.writer.write([{ type: 'run', data: first }, { type: 'run', data: second }])).rejects.toMatchObject({ owner: 'first-proj', project: 'second-proj' });
    expect(await findRunOwner(ctx.store.db, 'fresh-id')).toBeNull();
  });

  it('the same project keeps writing its run idempotently, live entries included', async () => {
    await ctx.writer.write([{ type: 'run', data: owned() }]);
    const again = { ...header, project: 'my-service' };
    await ctx.writer.write([
      { type: 'run', data: owned() },
      { type: 'run.tests', data: RunTestsSchema.parse({ ...again, tests: [{ nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', message: 'boom' }] }) },
    ]);
    expect(await findRun(ctx.store.db, 'shared-id')).toMatchObject({ project: 'my-service', summary: { total: 2, passed: 1, failed: 1 } });
  });
});
