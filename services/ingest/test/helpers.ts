import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { INGEST_GROUP, streamNames, type RunResultInput } from '@pytest-platform/schema';
import { openDatabase, type Store } from '@pytest-platform/db';
import { createRedisClient } from '@pytest-platform/redis';
import { afterAll, afterEach, beforeEach } from 'vitest';
export { waitFor } from '../../../test-support/wait-for.js';
import { loadConfig, type Ingest, type IngestConfig } from '../src/index.js';
import { randomStream } from '../../../test-support/runs.js';
import { REDIS_URL } from '../../../test-support/services.js';


/** A temp directory with a database path; `cleanup` removes it. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-test-'));
  return { dir, dbPath: join(dir, 'ingest.sqlite'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment of one test: its own stream, database file and consumer name; fast timings. */
export function testEnv(dbPath: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL,
    RESULTS_STREAM: randomStream('ingest-test'),
    DATABASE_URL: dbPath,
    INGEST_CONSUMER: `test-${randomUUID().slice(0, 8)}`,
    INGEST_BLOCK_MS: '100',
    INGEST_TRIM_INTERVAL_MS: '60000',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

export const testConfig = (dbPath: string, overrides: Record<string, string> = {}): IngestConfig =>
  loadConfig(testEnv(dbPath, overrides));

export const redisClient = () => createRedisClient(REDIS_URL);

export async function xaddRun(redis: Redis, stream: string, run: RunResultInput, type = 'run'): Promise<string> {
  return (await redis.xadd(stream, '*', 'type', type, 'data', JSON.stringify(run))) as string;
}

/** XADDs many entries in one pipeline; returns their ids in order. */
export async function xaddMany(redis: Redis, stream: string, entries: readonly (readonly string[])[]): Promise<string[]> {
  const pipeline = redis.pipeline();
  for (const fields of entries) pipeline.xadd(stream, '*', ...fields);
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, id]) => {
    if (error) throw error;
    return id as string;
  });
}

export async function deleteStreams(redis: Redis, stream: string): Promise<void> {
  const names = streamNames(stream);
  await redis.del(names.results, names.dead, names.events);
}

/** Entries of a stream as `{ id, fields }`. */
export async function readStream(redis: Redis, key: string): Promise<{ id: string; fields: Record<string, string> }[]> {
  const entries = await redis.xrange(key, '-', '+');
  return entries.map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
    return { id, fields };
  });
}

/** How many entries of the group are pending (optionally at one consumer). */
export async function pendingCount(redis: Redis, stream: string, consumer?: string, minIdleMs?: number): Promise<number> {
  const idle = minIdleMs === undefined ? [] : ['IDLE', String(minIdleMs)];
  const rows = (await redis.call('XPENDING', stream, INGEST_GROUP, ...idle, '-', '+', '100000', ...(consumer ? [consumer] : []))) as unknown[];
  return rows.length;
}


/** Opens the test's database from a second connection, as the API would. */
export async function openSqlite(dbPath: string): Promise<Extract<Store, { dialect: 'sqlite' }>> {
  const store = await openDatabase(dbPath);
  if (store.dialect !== 'sqlite') throw new Error('expected sqlite');
  return store;
}

export function countRows(store: Extract<Store, { dialect: 'sqlite' }>, table: 'runs' | 'results'): number {
  return (store.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

/** What {@link ingestPerTest} gives each test: a fresh temp dir and config; `ingest` is closed after the test. */
export interface IngestTestState {
  tmp: ReturnType<typeof tempDir>;
  config: IngestConfig;
  ingest: Ingest | undefined;
}

/**
 * Registers the hooks of a test file that runs ingest in-process: each test gets a temp SQLite file
 * and a config with `overrides`; afterwards ingest is closed, the streams deleted and the dir removed.
 */
export function ingestPerTest(redis: Redis, overrides: Record<string, string> = {}): IngestTestState {
  const state = {} as IngestTestState;
  beforeEach(() => {
    state.tmp = tempDir();
    state.config = testConfig(state.tmp.dbPath, overrides);
    state.ingest = undefined;
  });
  afterEach(async () => {
    await state.ingest?.close();
    state.ingest = undefined;
    await deleteStreams(redis, state.config.stream);
    state.tmp.cleanup();
  });
  afterAll(() => redis.quit());
  return state;
}
