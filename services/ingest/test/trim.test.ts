import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INGEST_GROUP } from '@pytest-platform/schema';
import { createIngest, type Ingest, type IngestConfig } from '../src/index.js';
import { makeRun } from '../../../test-support/runs.js';
import { deleteStreams, redisClient, tempDir, testConfig, waitFor, xaddMany } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let config: IngestConfig;
const running: Ingest[] = [];
const redis = redisClient();

beforeEach(() => {
  tmp = tempDir();
  config = testConfig(tmp.dbPath, { INGEST_TRIM_INTERVAL_MS: '100', INGEST_CLAIM_IDLE_MS: '600000' });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((i) => i.close()));
  await deleteStreams(redis, config.stream);
  tmp.cleanup();
});
afterAll(() => redis.quit());

const entry = () => ['type', 'run', 'data', JSON.stringify(makeRun())];

const streamIds = async () => (await redis.xrange(config.stream, '-', '+')).map(([id]) => id);

describe('trimming', () => {
  it('removes acknowledged entries and never what is still pending', async () => {
    const first = createIngest(config);
    running.push(first);
    await first.start();
    const acked = await xaddMany(redis, config.stream, [entry(), entry()]);
    await waitFor('first entries stored', () => first.stats().stored === 2);
    await first.close();

    // Another replica of the group holds two entries it has not acknowledged yet.
    const held = await xaddMany(redis, config.stream, [entry(), entry()]);
    await redis.xreadgroup('GROUP', INGEST_GROUP, 'other-replica', 'COUNT', 2, 'STREAMS', config.stream, '>');
    const later = await xaddMany(redis, config.stream, [entry()]);

    const second = createIngest(config);
    running.push(second);
    await second.start();
    await waitFor('later entry stored', () => second.stats().stored === 1);
    // The first replica may have trimmed the first entry alone (read before the second arrived): wait for both.
    await waitFor('acknowledged entries trimmed', async () => !(await streamIds()).some((id) => acked.includes(id)));
    expect(await streamIds()).toEqual([...held, ...later]);

    await redis.xack(config.stream, INGEST_GROUP, ...held);
    await waitFor('everything trimmed', async () => (await redis.xlen(config.stream)) === 0);
    expect(first.stats().trimmed + second.stats().trimmed).toBe(5);
  });
});
