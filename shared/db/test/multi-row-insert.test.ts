import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { RunTestsSchema, type StreamEntry } from '@pytest-platform/schema';
import type { Db } from '@pytest-platform/db';
import { MultiRowInsert, SQLITE_MAX_PARAMS } from '../src/multi-row-insert.js';
import { dialects, run, storeWithWriter } from './helpers.js';

describe('MultiRowInsert', () => {
  const columns = 10;
  const table = (sqlite: SqliteDatabase.Database) => {
    sqlite.exec(`CREATE TABLE t (${Array.from({ length: columns }, (_, i) => `c${i} INTEGER${i === 0 ? ' PRIMARY KEY' : ''}`).join(', ')})`);
    return (maxRows: number, maxParams?: number) =>
      new MultiRowInsert(sqlite, `INSERT INTO t (${Array.from({ length: columns }, (_, i) => `c${i}`).join(', ')})`, columns, 'ON CONFLICT DO NOTHING RETURNING c0', maxRows, maxParams);
  };
  const rows = (from: number, n: number) => Array.from({ length: n * columns }, (_, i) => (i % columns === 0 ? from + i / columns : i));

  it('holds no more rows in one statement than SQLite binds parameters for, and fills that limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ppmulti-'));
    const sqlite = new SqliteDatabase(join(dir, 'multi.sqlite'));
    try {
      const insert = table(sqlite)(100_000);
      expect(insert.maxRows).toBe(Math.floor(SQLITE_MAX_PARAMS / columns));
      // One statement at the limit: SQLite would refuse it ("too many SQL variables") past SQLITE_MAX_PARAMS.
      expect(insert.insert(rows(0, insert.maxRows))).toHaveLength(insert.maxRows);
      expect(() => insert.insert(rows(1e6, insert.maxRows + 1))).toThrow(RangeError);
      expect(() => sqlite.prepare(`SELECT ${Array.from({ length: SQLITE_MAX_PARAMS + 1 }, () => '?').join(', ')}`)).toThrow(/too many SQL variables/);
    } finally {
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns what it inserted: rows already there and repeats in one statement are left out', () => {
    const sqlite = new SqliteDatabase(':memory:');
    const insert = table(sqlite)(1_000, 3 * columns);
    expect(insert.maxRows).toBe(3);
    expect(insert.insert(rows(1, 2))).toEqual([1, 2]);
    expect(insert.insert([...rows(2, 2), ...rows(3, 1)])).toEqual([3]);
    sqlite.close();
  });
});

/** Stored results, their runs in the rollups and their failures in the rollups. */
async function counts(db: Db) {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT (SELECT count(*) FROM results) AS results,
           (SELECT count(*) FROM results WHERE outcome IN ('failed', 'error')) AS failed,
           (SELECT coalesce(sum(runs), 0) FROM test_days) AS rolled_runs,
           (SELECT coalesce(sum(failures), 0) FROM failure_days) AS rolled_failures`.execute(db);
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]));
}

const live = (tests: { nodeid: string; outcome: 'passed' | 'failed' }[]): StreamEntry => ({
  type: 'run.tests', data: RunTestsSchema.parse({ run_id: 'live', project: 'svc', branch: 'main', started_at: '2026-11-26T10:00:00.000Z', tests }),
});

describe.each(dialects)('result rows many to a statement, on %s', (dialect) => {
  const ctx = storeWithWriter(dialect);

  it('stores a run that spans many statements once, however often it is delivered, and rolls it up once', async () => {
    const tests = Array.from({ length: 1_234 }, (_, i) => ({
      nodeid: `t${i}`, outcome: i % 10 === 0 ? ('failed' as const) : ('passed' as const), message: i % 10 === 0 ? `boom ${i % 3}` : null,
    }));
    const entry: StreamEntry = { type: 'run', data: run({ run_id: 'big', status: 'failed', tests }) };
    await ctx.writer.write([entry]);
    await ctx.writer.write([entry, entry]);
    expect(await counts(ctx.store.db)).toEqual({ results: 1_234, failed: 124, rolled_runs: 1_234, rolled_failures: 124 });
  });

  it('replaces rows stored before, with the rollups following', async () => {
    await ctx.writer.write([live([{ nodeid: 'x', outcome: 'failed' }, { nodeid: 'y', outcome: 'passed' }])]);
    expect(await counts(ctx.store.db)).toEqual({ results: 2, failed: 1, rolled_runs: 2, rolled_failures: 1 });
    await ctx.writer.write([live([{ nodeid: 'z', outcome: 'failed' }, { nodeid: 'x', outcome: 'passed' }])]);
    expect(await counts(ctx.store.db)).toEqual({ results: 3, failed: 1, rolled_runs: 3, rolled_failures: 1 });
  });
});

describe('result rows many to a statement, on sqlite', () => {
  const ctx = storeWithWriter('sqlite');

  it('takes a node id repeated in one entry in entry order: the last row stays, the rollups follow', async () => {
    await ctx.writer.write([live([{ nodeid: 'x', outcome: 'failed' }, { nodeid: 'y', outcome: 'passed' }, { nodeid: 'x', outcome: 'passed' }])]);
    expect(await counts(ctx.store.db)).toEqual({ results: 2, failed: 0, rolled_runs: 2, rolled_failures: 0 });
    await ctx.writer.write([live([{ nodeid: 'x', outcome: 'passed' }, { nodeid: 'x', outcome: 'failed' }])]);
    expect(await counts(ctx.store.db)).toEqual({ results: 2, failed: 1, rolled_runs: 2, rolled_failures: 1 });
  });
});
