import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunResultSchema, type RunResultInput } from '@pytest-platform/schema';
import { openDatabase, type Store } from '@pytest-platform/db';

/** A fresh SQLite store in a temp dir; `cleanup` closes and removes it. */
export async function tempStore(): Promise<{ store: Extract<Store, { dialect: 'sqlite' }>; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ppdb-'));
  const store = await openDatabase(join(dir, 'test.sqlite'));
  if (store.dialect !== 'sqlite') throw new Error('expected sqlite');
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function run(overrides: Partial<RunResultInput> & { run_id: string }) {
  return RunResultSchema.parse({
    project: 'svc',
    branch: 'main',
    worker_id: 'w1',
    started_at: '2026-11-26T10:00:00.000Z',
    finished_at: '2026-11-26T10:00:10.000Z',
    duration: 10,
    status: 'passed',
    ...overrides,
  });
}
