import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_RESULTS_STREAM } from '@pytest-platform/schema';
import { DEFAULT_SQLITE_FILE, parseDatabaseUrl, type DatabaseTarget } from '@pytest-platform/db';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Everything ingest reads from the environment, parsed once. */
export interface IngestConfig {
  /** `REDIS_URL`. @defaultValue `redis://127.0.0.1:6379` */
  redisUrl: string;
  /** `RESULTS_STREAM`; dead letters go to `<stream>:dead`, announcements to `<stream>:events`. @defaultValue `pytest-platform:results` */
  stream: string;
  /** `DATABASE_URL`: a file path or `sqlite:` URL, or `postgres://…`. @defaultValue `./data/pytest-platform.sqlite` */
  databaseUrl: string;
  database: DatabaseTarget;
  /** `INGEST_CONSUMER`: this replica's name in the consumer group. @defaultValue `<hostname>-<pid>` */
  consumer: string;
  /** `INGEST_BATCH_SIZE`: most entries per XREADGROUP (COUNT) and per transaction. @defaultValue 200 */
  batchSize: number;
  /**
   * `INGEST_BATCH_BYTES`: about how much entry data one batch holds; COUNT is lowered to fit it by the
   * average entry size seen so far, so memory stays bounded when runs are large. @defaultValue 8 MiB
   */
  batchBytes: number;
  /** `INGEST_BLOCK_MS`: longest XREADGROUP BLOCK. @defaultValue 2000 */
  blockMs: number;
  /** `INGEST_CLAIM_IDLE_MS`: entries pending this long at another consumer are reclaimed (XAUTOCLAIM). @defaultValue 30000 */
  claimIdleMs: number;
  /** `INGEST_MAX_DELIVERIES`: an entry that failed this many deliveries is dead-lettered. @defaultValue 5 */
  maxDeliveries: number;
  /** `INGEST_TRIM_INTERVAL_MS`: how often acknowledged entries are trimmed from the stream. @defaultValue 5000 */
  trimIntervalMs: number;
  /** `INGEST_SWEEP_SECONDS`: how often silent running runs are marked interrupted. @defaultValue 30 */
  sweepSeconds: number;
  /** `RUN_STALE_SECONDS`: a running run silent this long is interrupted. @defaultValue 300 */
  runStaleSeconds: number;
  /** `RETENTION_DAYS`: runs that started longer ago are deleted with their results, 500 per transaction. @defaultValue unset (keep forever) */
  retentionDays: number | null;
  /** `LOG_LEVEL`. @defaultValue `info` */
  logLevel: LogLevel;
  /** `INGEST_HEALTH_PORT`: serve `GET /livez` and `GET /health` at this port on `INGEST_HEALTH_HOST`, for probes. @defaultValue unset (no port) */
  healthPort: number | null;
  /** `INGEST_HEALTH_HOST`: the address the health port binds; a container whose kubelet probes it sets `0.0.0.0`. @defaultValue `127.0.0.1` */
  healthHost: string;
}

/** An environment variable with a value ingest cannot use; the message names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const unsetIfEmpty = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema);
const integer = (min: number, fallback: number) =>
  optional(
    z.coerce
      .number({ message: 'expected a number' })
      .int({ message: 'expected a whole number' })
      .min(min, { message: `expected at least ${min}` })
      .max(Number.MAX_SAFE_INTEGER)
      .default(fallback),
  );

const EnvSchema = z.object({
  REDIS_URL: optional(
    z
      .string()
      .regex(/^rediss?:\/\/\S*$/, { message: 'expected a redis:// or rediss:// URL' })
      .default('redis://127.0.0.1:6379'),
  ),
  RESULTS_STREAM: optional(z.string().trim().min(1).max(1000).default(DEFAULT_RESULTS_STREAM)),
  DATABASE_URL: optional(z.string().default(DEFAULT_SQLITE_FILE)),
  INGEST_CONSUMER: optional(z.string().trim().min(1).max(200).optional()),
  INGEST_BATCH_SIZE: integer(1, 200),
  INGEST_BATCH_BYTES: integer(65_536, 8 * 1024 * 1024),
  INGEST_BLOCK_MS: integer(1, 2000),
  INGEST_CLAIM_IDLE_MS: integer(1, 30_000),
  INGEST_MAX_DELIVERIES: integer(1, 5),
  INGEST_TRIM_INTERVAL_MS: integer(100, 5000),
  INGEST_SWEEP_SECONDS: integer(1, 30),
  RUN_STALE_SECONDS: integer(1, 300),
  RETENTION_DAYS: optional(z.coerce.number({ message: 'expected a number of days' }).positive({ message: 'expected a positive number of days' }).max(36_500).optional()),
  INGEST_HEALTH_PORT: optional(z.coerce.number({ message: 'expected a port number' }).int().min(1).max(65_535).optional()),
  INGEST_HEALTH_HOST: optional(z.string().trim().min(1).default('127.0.0.1')),
  LOG_LEVEL: optional(z.enum(logLevels, { message: `expected one of ${logLevels.join(', ')}` }).default('info')),
});

const shown = (value: string | undefined) => (value === undefined ? 'unset' : JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value));

/** Parses ingest's environment; throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const value = name === 'REDIS_URL' ? undefined : env[name];
    throw new ConfigError(`invalid ${name}${value === undefined ? '' : ` (${shown(value)})`}: ${issue?.message ?? 'invalid value'}`);
  }
  const e = parsed.data;
  let database: DatabaseTarget;
  try {
    database = parseDatabaseUrl(e.DATABASE_URL);
  } catch (error) {
    const message = (error as Error).message.replace(/^DATABASE_URL:\s*/, '');
    throw new ConfigError(`invalid DATABASE_URL: ${message}`);
  }
  return {
    redisUrl: e.REDIS_URL,
    stream: e.RESULTS_STREAM,
    databaseUrl: e.DATABASE_URL,
    database,
    consumer: e.INGEST_CONSUMER ?? `${hostname()}-${process.pid}`,
    batchSize: e.INGEST_BATCH_SIZE,
    batchBytes: e.INGEST_BATCH_BYTES,
    blockMs: e.INGEST_BLOCK_MS,
    claimIdleMs: e.INGEST_CLAIM_IDLE_MS,
    maxDeliveries: e.INGEST_MAX_DELIVERIES,
    trimIntervalMs: e.INGEST_TRIM_INTERVAL_MS,
    sweepSeconds: e.INGEST_SWEEP_SECONDS,
    runStaleSeconds: e.RUN_STALE_SECONDS,
    retentionDays: e.RETENTION_DAYS ?? null,
    logLevel: e.LOG_LEVEL,
    healthPort: e.INGEST_HEALTH_PORT ?? null,
    healthHost: e.INGEST_HEALTH_HOST,
  };
}
