import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import { findRun, InvalidCursorError, listClassifiedRunFailures, optimizeSqlite, type Database } from '@pytest-platform/db';
import { dialects, run, storeWithWriter } from './helpers.js';

const nodeid = (i: number) => `tests/test_many.py::test_${String(i).padStart(4, '0')}`;

/** r0 fails the even tests of 0..249; r1 passes 1,000 tests stored before, then fails 250 (0..249). */
const earlier = run({
  run_id: 'r0', started_at: '2026-11-25T10:00:00.000Z', status: 'failed',
  tests: Array.from({ length: 250 }, (_, i) => ({ nodeid: nodeid(i), outcome: i % 2 === 0 ? 'failed' as const : 'passed' as const, message: 'before' })),
});
const big = run({
  run_id: 'r1', started_at: '2026-11-26T10:00:00.000Z', status: 'failed',
  tests: [
    ...Array.from({ length: 1_000 }, (_, i) => ({ nodeid: `tests/test_ok.py::test_${i}`, outcome: 'passed' as const })),
    ...Array.from({ length: 250 }, (_, i) => ({ nodeid: nodeid(i), outcome: i === 7 ? 'error' as const : 'failed' as const, message: `boom ${i}` })),
  ],
});

describe.each(dialects)("a run's failures, a page at a time, on %s", (dialect) => {
  const ctx = storeWithWriter(dialect);
  const seed = async () => {
    await ctx.writer.write([{ type: 'run', data: earlier }]);
    await ctx.writer.write([{ type: 'run', data: big }]);
    return (await findRun(ctx.store.db, 'r1'))!.pk;
  };

  it('follows the cursor to every failure once, in test id order, each classified as on one page', async () => {
    const pk = await seed();
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await listClassifiedRunFailures(ctx.store.db, pk, { limit: 100, cursor });
      expect(page.total).toBe(250);
      pages.push(page.items.length);
      seen.push(...page.items.map((f) => f.nodeid));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined && pages.length < 10);
    expect(pages).toEqual([100, 100, 50]);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => nodeid(i)));

    const whole = await listClassifiedRunFailures(ctx.store.db, pk, { limit: 1_000 });
    expect(whole.next_cursor).toBeNull();
    expect(whole.items.map((f) => f.nodeid)).toEqual(seen);
    // Failing in r0 (even) is recurring; passing in r0 (odd) then failing is new.
    expect(whole.items.slice(0, 4).map((f) => f.classification)).toEqual(['recurring', 'new', 'recurring', 'new']);
    expect(whole.items[7]).toMatchObject({ outcome: 'error', message: 'boom 7' });
    const second = await listClassifiedRunFailures(ctx.store.db, pk, { limit: 100, cursor: (await listClassifiedRunFailures(ctx.store.db, pk, { limit: 100 })).next_cursor! });
    expect(second.items).toEqual(whole.items.slice(100, 200));
  });

  it('with limit 0 gives the total alone and a cursor to the first page; a run without failures has none', async () => {
    const pk = await seed();
    const none = await listClassifiedRunFailures(ctx.store.db, pk, { limit: 0 });
    expect(none).toMatchObject({ items: [], total: 250, next_cursor: expect.any(String) });
    const first = await listClassifiedRunFailures(ctx.store.db, pk, { limit: 3, cursor: none.next_cursor! });
    expect(first.items.map((f) => f.nodeid)).toEqual([nodeid(0), nodeid(1), nodeid(2)]);

    await ctx.writer.write([{ type: 'run', data: run({ run_id: 'green', tests: [{ nodeid: 'a', outcome: 'passed' }] }) }]);
    const green = (await findRun(ctx.store.db, 'green'))!.pk;
    expect(await listClassifiedRunFailures(ctx.store.db, green, { limit: 0 })).toEqual({ items: [], total: 0, next_cursor: null });
    expect(await listClassifiedRunFailures(ctx.store.db, green, { limit: 100 })).toEqual({ items: [], total: 0, next_cursor: null });
  });

  it('refuses a cursor it did not hand out', async () => {
    const pk = await seed();
    for (const cursor of ['garbage', Buffer.from('["x"]').toString('base64url'), Buffer.from('[-1]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      await expect(listClassifiedRunFailures(ctx.store.db, pk, { limit: 10, cursor }), cursor).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });
});

describe('the page query on SQLite', () => {
  const ctx = storeWithWriter('sqlite');

  it('reads one page through the partial index of failures by (run, test), never the whole run (with planner statistics)', async () => {
    await ctx.writer.write([{ type: 'run', data: earlier }]);
    await ctx.writer.write([{ type: 'run', data: big }]);
    const pk = (await findRun(ctx.store.db, 'r1'))!.pk;
    if (ctx.store.dialect !== 'sqlite') throw new Error('unreachable');
    const sqlite = ctx.store.sqlite;
    // As a store with data is opened, and as ingest refreshes them hourly: planner statistics.
    optimizeSqlite(sqlite, true);
    const queries: CompiledQuery[] = [];
    const logged = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log: (event) => void queries.push(event.query) });
    const page = await listClassifiedRunFailures(logged, pk, { limit: 100, cursor: (await listClassifiedRunFailures(ctx.store.db, pk, { limit: 100 })).next_cursor! });
    expect(page.items).toHaveLength(100);

    const plan = (query: CompiledQuery) =>
      (sqlite.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...(query.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail).join('\n');
    const pageQuery = queries.find((q) => /from "results"/i.test(q.sql) && /order by "results"\."test_id"/i.test(q.sql));
    expect(pageQuery, queries.map((q) => q.sql).join('\n')).toBeDefined();
    expect(pageQuery!.sql).toMatch(/limit \?$/i);
    expect(pageQuery!.parameters.at(-1)).toBe(101);
    expect(plan(pageQuery!)).toMatch(/SEARCH results USING INDEX results_run_failures \(run_id=\? AND test_id>\?\)/);
    expect(plan(pageQuery!)).not.toMatch(/TEMP B-TREE/);
    const countQuery = queries.find((q) => /count\(\*\)/i.test(q.sql));
    expect(plan(countQuery!)).toMatch(/SEARCH results USING COVERING INDEX results_run_failures \(run_id=\?\)/);
    await logged.destroy().catch(() => {});
  });
});
