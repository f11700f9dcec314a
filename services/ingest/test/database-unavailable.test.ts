import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamNames } from '@pytest-platform/schema';
import { createIngest, type Ingest, type IngestConfig } from '../src/index.js';
import { makeRun } from '../../../test-support/runs.js';
import {
  countRows, deleteStreams, openSqlite, pendingCount, readStream, redisClient, tempDir, testConfig, waitFor, xaddMany,
} from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let config: IngestConfig;
let ingest: Ingest | undefined;
let store: Awaited<ReturnType<typeof openSqlite>>;
const redis = redisClient();

beforeEach(async () => {
  tmp = tempDir();
  config = testConfig(tmp.dbPath, { INGEST_MAX_DELIVERIES: '2' });
  store = await openSqlite(tmp.dbPath);
});

afterEach(async () => {
  await ingest?.close();
  ingest = undefined;
  await store.close();
  await deleteStreams(redis, config.stream);
  tmp.cleanup();
});
afterAll(() => redis.quit());

const bigRun = () =>
  makeRun({ tests: [{ nodeid: 't::big', outcome: 'failed', message: 'boom', longrepr: 'x'.repeat(60_000) }] });

describe('a database that refuses writes', () => {
  it('keeps the entries pending while the database is full and stores them all once it has room', async () => {
    ingest = createIngest(config, { store });
    await ingest.start();
    const currentPages = store.sqlite.pragma('max_page_count = 1', { simple: true });
    expect(currentPages).toBeGreaterThan(1);

    const runs = Array.from({ length: 5 }, bigRun);
    await xaddMany(redis, config.stream, runs.map((r) => ['type', 'run', 'data', JSON.stringify(r)]));
    await waitFor('several retries', () => ingest!.stats().storeRetries >= 3);
    expect(ingest.stats().stored).toBe(0);
    expect(await pendingCount(redis, config.stream)).toBe(5);
    expect(countRows(store, 'runs')).toBe(0);

    store.sqlite.pragma('max_page_count = 1073741823');
    await waitFor('all stored', () => ingest!.stats().stored === 5);
    expect(await pendingCount(redis, config.stream)).toBe(0);
    expect(countRows(store, 'runs')).toBe(5);
    expect(countRows(store, 'results')).toBe(5);
    expect(await readStream(redis, streamNames(config.stream).dead)).toEqual([]);
    expect(ingest.stats().deadLettered).toBe(0);
  });

  it('keeps the entries pending while another connection holds the write lock, then stores them', async () => {
    store.sqlite.pragma('busy_timeout = 20');
    ingest = createIngest(config, { store });
    await ingest.start();
    const holder = await openSqlite(tmp.dbPath);
    try {
      holder.sqlite.exec('BEGIN IMMEDIATE');
      const runs = Array.from({ length: 4 }, () => makeRun());
      await xaddMany(redis, config.stream, runs.map((r) => ['type', 'run', 'data', JSON.stringify(r)]));
      await waitFor('several retries', () => ingest!.stats().storeRetries >= 3);
      expect(ingest.stats().stored).toBe(0);
      expect(await pendingCount(redis, config.stream)).toBe(4);
      holder.sqlite.exec('COMMIT');
    } finally {
      await holder.close();
    }
    await waitFor('all stored', () => ingest!.stats().stored === 4);
    expect(await pendingCount(redis, config.stream)).toBe(0);
    expect(countRows(store, 'runs')).toBe(4);
    expect(ingest.stats().deadLettered).toBe(0);
  });

  it('leaves the entries pending when closed while the database still refuses writes', async () => {
    ingest = createIngest(config, { store });
    await ingest.start();
    store.sqlite.pragma('max_page_count = 1');
    await xaddMany(redis, config.stream, [['type', 'run', 'data', JSON.stringify(bigRun())]]);
    await waitFor('a retry', () => ingest!.stats().storeRetries >= 1);
    await ingest.close();
    await ingest.close();
    expect(await pendingCount(redis, config.stream, config.consumer)).toBe(1);
    expect(ingest.stats().deadLettered).toBe(0);
  });
});
