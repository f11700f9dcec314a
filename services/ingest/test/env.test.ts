import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      stream: 'pytest-platform:results',
      database: { dialect: 'sqlite', filename: './data/pytest-platform.sqlite' },
      consumer: `${hostname()}-${process.pid}`,
      batchSize: 200,
      batchBytes: 8 * 1024 * 1024,
      blockMs: 2000,
      claimIdleMs: 30_000,
      maxDeliveries: 5,
      trimIntervalMs: 5000,
      sweepSeconds: 30,
      runStaleSeconds: 300,
      retentionDays: null,
      logLevel: 'info',
      healthPort: null,
      healthHost: '127.0.0.1',
      foldSeconds: 10,
      nice: 10,
      quarantine: null,
    });
  });

  it('reads the automatic quarantine policy only when QUARANTINE_AUTO is on, and stops on a bad value naming it', () => {
    expect(loadConfig({ QUARANTINE_MIN_FLIPS: '5' }).quarantine).toBeNull();
    expect(loadConfig({ QUARANTINE_AUTO: 'true' }).quarantine).toEqual({ minFlips: 3, window: 30, releasePasses: 20 });
    expect(loadConfig({ QUARANTINE_AUTO: 'yes', QUARANTINE_MIN_FLIPS: '4', QUARANTINE_WINDOW: '50', QUARANTINE_RELEASE_PASSES: '10', INGEST_FOLD_SECONDS: '2' }))
      .toMatchObject({ foldSeconds: 2, quarantine: { minFlips: 4, window: 50, releasePasses: 10 } });
    for (const [name, value] of [['QUARANTINE_AUTO', 'maybe'], ['QUARANTINE_MIN_FLIPS', '0'], ['QUARANTINE_WINDOW', '1'], ['QUARANTINE_RELEASE_PASSES', 'x'], ['INGEST_FOLD_SECONDS', '0']]) {
      expect(() => loadConfig({ [name!]: value! }), name).toThrow(new RegExp(`^invalid ${name}\\b`));
    }
  });

  it('reads every variable', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://user:secret@redis.internal:6380/2', RESULTS_STREAM: 'ci:results', DATABASE_URL: 'sqlite:/var/lib/pp.sqlite',
      INGEST_CONSUMER: 'ingest-0', INGEST_BATCH_SIZE: '50', INGEST_BLOCK_MS: '500', INGEST_CLAIM_IDLE_MS: '1000',
      INGEST_MAX_DELIVERIES: '3', INGEST_TRIM_INTERVAL_MS: '2000', INGEST_SWEEP_SECONDS: '10', RUN_STALE_SECONDS: '60',
      LOG_LEVEL: 'debug', INGEST_NICE: '0',
    });
    expect(config).toMatchObject({
      redisUrl: 'rediss://user:secret@redis.internal:6380/2', stream: 'ci:results',
      database: { dialect: 'sqlite', filename: '/var/lib/pp.sqlite' }, consumer: 'ingest-0', batchSize: 50, blockMs: 500,
      claimIdleMs: 1000, maxDeliveries: 3, trimIntervalMs: 2000, sweepSeconds: 10, runStaleSeconds: 60, logLevel: 'debug', nice: 0,
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/pp' }).database).toEqual({ dialect: 'postgres', connectionString: 'postgres://u:p@db/pp' });
  });

  it.each([
    ['INGEST_MAX_DELIVERIES', 'abc'],
    ['INGEST_MAX_DELIVERIES', '0'],
    ['INGEST_BATCH_SIZE', '2.5'],
    ['INGEST_BATCH_BYTES', '1000'],
    ['INGEST_CLAIM_IDLE_MS', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://localhost'],
    ['DATABASE_URL', 'mysql://db/pp'],
    ['LOG_LEVEL', ''],
    ['INGEST_BATCH_SIZE', '  '],
    ['INGEST_NICE', '20'],
    ['INGEST_NICE', '-5'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^invalid ${name}\\b`));
  });

  it('never echoes a Redis URL, which may hold a password', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://user:secret@host' })).toThrow(/^invalid REDIS_URL: /);
    expect(() => loadConfig({ REDIS_URL: 'http://user:secret@host' })).not.toThrow(/secret/);
  });
});
