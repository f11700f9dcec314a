import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '@pytest-platform/db';
import { repoRoot } from '../../../test-support/services.js';

const openIn = (file: string) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const script = `import { openDatabase } from '@pytest-platform/db'; const s = await openDatabase(${JSON.stringify(file)}); await s.close();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@pytest-platform/source', '--input-type=module', '-e', script], { cwd: repoRoot });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });

describe('migrations', () => {
  it('run once when several stores in one process open a fresh SQLite file at the same moment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-migrate-'));
    try {
      const file = join(dir, 'fresh.sqlite');
      const stores = await Promise.all([openDatabase(file), openDatabase(file), openDatabase(file)]);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run once when several processes open a fresh SQLite file at the same moment (ingest and the API under npm start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-migrate-'));
    try {
      const file = join(dir, 'fresh.sqlite');
      const results = await Promise.all([openIn(file), openIn(file), openIn(file), openIn(file)]);
      for (const result of results) expect(result.code, result.output).toBe(0);
      const store = await openDatabase(file);
      if (store.dialect !== 'sqlite') throw new Error('sqlite');
      const applied = store.sqlite.prepare('select name from kysely_migration order by name').all();
      await store.close();
      expect(applied.length).toBeGreaterThanOrEqual(2);
      expect(new Set(applied.map((r) => (r as { name: string }).name)).size).toBe(applied.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
