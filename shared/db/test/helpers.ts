import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunResultSchema, type RunResultInput } from '@pytest-platform/schema';
import { afterEach, beforeEach } from 'vitest';
import { createRunWriter, openDatabase, type RunWriter, type Store } from '@pytest-platform/db';
import { createTempPostgres } from '../../../test-support/postgres.js';

export const dialects = ['sqlite', 'postgres'] as const;

/** A fresh, migrated store of the given dialect; `cleanup` closes and removes it. */
export async function tempStore(dialect: (typeof dialects)[number] = 'sqlite'): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (dialect === 'postgres') {
    const pg = await createTempPostgres();
    const store = await openDatabase(pg.url);
    return {
      store,
      async cleanup() {
        await store.close();
        await pg.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ppdb-'));
  const store = await openDatabase(join(dir, 'test.sqlite'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For each test of the calling suite: a fresh store of `dialect` and a run writer into it. */
export function storeWithWriter(dialect: (typeof dialects)[number]): { store: Store; writer: RunWriter } {
  const current = {} as { store: Store; writer: RunWriter };
  let cleanup: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const temp = await tempStore(dialect);
    cleanup = temp.cleanup;
    current.store = temp.store;
    current.writer = createRunWriter(temp.store);
  });
  afterEach(() => cleanup?.());
  return current;
}

export function run(overrides: Partial<RunResultInput> & { run_id: string }) {
  return RunResultSchema.parse({
    project: 'svc',
    branch: 'main',
    worker_id: 'w1',
    started_at: '2026-11-26T10:00:00.000Z',
    // 10 s after the start, the given one or the default: a run never finishes before it starts.
    finished_at: new Date(Date.parse(overrides.started_at ?? '2026-11-26T10:00:00.000Z') + 10_000).toISOString(),
    duration: 10,
    status: 'passed',
    ...overrides,
  });
}

/** A small deterministic generator (mulberry32), so a failure names its seed. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
