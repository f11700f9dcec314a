import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunWriter, openDatabase } from '@pytest-platform/db';
import { run } from './helpers.js';

describe('SQLite planner statistics', () => {
  it('are gathered when a store with data is opened, so the planner can choose the partial and covering indexes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-stats-'));
    const file = join(dir, 'stats.sqlite');
    try {
      const first = await openDatabase(file);
      const writer = createRunWriter(first);
      for (let i = 0; i < 20; i++) {
        await writer.write([{ type: 'run', data: run({ run_id: `r${i}`, worker_id: `w${i % 3}`, tests: [{ nodeid: 'a', outcome: 'passed' }] }) }]);
      }
      await first.close();

      const again = await openDatabase(file);
      if (again.dialect !== 'sqlite') throw new Error('unreachable');
      const tables = again.sqlite.prepare('SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl').all() as { tbl: string }[];
      expect(tables.map((t) => t.tbl)).toEqual(expect.arrayContaining(['results', 'runs', 'test_days', 'tests']));
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
