import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import { listWorkers, optimizeSqlite, type Database } from '@pytest-platform/db';
import { run, storeWithWriter } from './helpers.js';

const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const MINUTE = 60_000;

describe("the workers' 24-hour count on SQLite", () => {
  const ctx = storeWithWriter('sqlite');

  it('reads each listed worker\'s runs of the day from an index that holds their counts, never the run rows (with planner statistics)', async () => {
    // Three workers, a run every 10 minutes over two days: the day's runs are what the count walks.
    const runs = Array.from({ length: 3 * 288 }, (_, i) => run({
      run_id: `r${i}`, worker_id: `w${i % 3}`, started_at: new Date(NOW - 2 * 24 * 60 * MINUTE + i * (10 * MINUTE) / 3).toISOString(),
      status: i % 4 === 0 ? 'failed' : 'passed',
      tests: [{ nodeid: 'a', outcome: i % 4 === 0 ? 'failed' : 'passed' }],
    }));
    for (let i = 0; i < runs.length; i += 100) await ctx.writer.write(runs.slice(i, i + 100).map((data) => ({ type: 'run' as const, data })), NOW);
    if (ctx.store.dialect !== 'sqlite') throw new Error('unreachable');
    const sqlite = ctx.store.sqlite;
    optimizeSqlite(sqlite, true);

    const queries: CompiledQuery[] = [];
    const logged = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log: (event) => void queries.push(event.query) });
    const workers = await listWorkers(logged, { now: NOW, onlineWindowMs: 15 * MINUTE, limit: 10 });
    // 144 runs of each worker started within the day, one in four failed.
    expect(workers.items.map((w) => [w.worker_id, w.runs_24h, w.pass_rate_24h])).toEqual([['w0', 144, 0.75], ['w1', 144, 0.75], ['w2', 144, 0.75]]);

    const count = queries.find((q) => /count\(\*\)/i.test(q.sql) && /group by/i.test(q.sql));
    expect(count, queries.map((q) => q.sql).join('\n')).toBeDefined();
    const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${count!.sql}`).all(...(count!.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH runs USING COVERING INDEX runs_worker_started_counts \(worker_id=\? AND started_at>\?\)/);
    await logged.destroy().catch(() => {});
  });
});
