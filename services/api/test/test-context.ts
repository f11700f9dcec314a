import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, loadConfig, type ApiConfig } from '@pytest-platform/api';
import { createRunWriter, openDatabase, type RunWriter, type Store } from '@pytest-platform/db';
import { createRedisClient } from '@pytest-platform/redis';
import { RunResultSchema, streamNames, type RunResultInput, type StreamEntry } from '@pytest-platform/schema';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { testDatabaseUrl } from '../../../test-support/postgres.js';
import { randomStream } from '../../../test-support/runs.js';
import { REDIS_URL } from '../../../test-support/services.js';

export interface TestContext {
  url: string;
  config: ApiConfig;
  store: Store;
  redis: Redis;
  writer: RunWriter;
  stream: string;
  deadStream: string;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Stores whole runs as ingest would, `seenAt` being when ingest heard from the worker. */
  seed(run: RunResultInput, seenAt?: number): Promise<unknown>;
  seedEntries(entries: StreamEntry[], seenAt?: number): Promise<unknown>;
  get(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

export interface ContextOptions {
  env?: Record<string, string>;
  /** Point the app at this Redis URL instead of the test Redis. */
  redisUrl?: string;
}

/**
 * A real app on a random port over a temp SQLite file (a fresh Postgres database when
 * `TEST_DATABASE=postgres`) and the real Redis with a random stream.
 */
export async function startApp(options: ContextOptions = {}): Promise<TestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'api-test-'));
  const stream = randomStream('api-test');
  const database = await testDatabaseUrl(dir, 'db.sqlite');
  const config = loadConfig({ RESULTS_STREAM: stream, DATABASE_URL: database.url, LOG_LEVEL: 'info', ...options.env });
  const store = await openDatabase(config.databaseUrl);
  const writer = createRunWriter(store);
  const redis = createRedisClient(options.redisUrl ?? REDIS_URL, { options: { commandTimeout: 2_000 } });
  redis.on('error', () => {});
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const server: Server = createServer(createApp(config, { store, redis, logger }).callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { dead } = streamNames(stream);

  return {
    url, config, store, redis, writer, stream, deadStream: dead, logs,
    seed: (run, seenAt) => writer.write([{ type: 'run', data: RunResultSchema.parse(run) }], seenAt),
    seedEntries: (entries, seenAt) => writer.write(entries, seenAt),
    async get(path, init) {
      const response = await fetch(url + path, init);
      const text = await response.text();
      let body: unknown = text;
      if (response.headers.get('content-type')?.includes('application/json')) body = JSON.parse(text);
      return { status: response.status, body, headers: response.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (redis.status === 'ready') {
        await redis.del(stream, dead);
        await redis.quit();
      } else {
        redis.disconnect();
      }
      await store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();
