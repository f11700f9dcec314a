import { hostname } from 'node:os';
import { ConfigError, logLevels, parseDatabaseUrl, readVariables, type DatabaseTarget, type Env, type LogLevel } from '@pytest-platform/config';
import type { QuarantinePolicy } from '@pytest-platform/db';

export { ConfigError, logLevels };
export type { LogLevel };

/** Everything ingest reads from the environment, parsed once. */
export interface IngestConfig {
  /** `REDIS_URL`. @defaultValue `redis://127.0.0.1:6379` */
  redisUrl: string;
  /** `RESULTS_STREAM`; dead letters go to `<stream>:dead`, announcements to `<stream>:events`. @defaultValue `pytest-platform:results` */
  stream: string;
  /** `DATABASE_URL`: a file path or `sqlite:` URL, or `postgres://…`. @defaultValue `./data/pytest-platform.sqlite` */
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
  /**
   * `INGEST_FOLD_SECONDS`: how often finished runs are folded into the recorded durations and the
   * quarantine policy, expired quarantines released, and both published to Redis. @defaultValue 10
   */
  foldSeconds: number;
  /**
   * `INGEST_NICE`: the niceness ingest lowers its main thread to at start (0–19), so that on a machine
   * it shares the API's reads and the MCP's pages get the CPU first; never raised above what the
   * launcher gave it. @defaultValue 10
   */
  nice: number;
  /** The automatic quarantine policy (`QUARANTINE_AUTO=true`); null when off. @defaultValue null */
  quarantine: QuarantinePolicy | null;
}

/** Parses ingest's environment; throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Env = process.env): IngestConfig {
  const e = readVariables(env, [
    'REDIS_URL', 'RESULTS_STREAM', 'DATABASE_URL', 'INGEST_CONSUMER', 'INGEST_BATCH_SIZE', 'INGEST_BATCH_BYTES', 'INGEST_BLOCK_MS',
    'INGEST_CLAIM_IDLE_MS', 'INGEST_MAX_DELIVERIES', 'INGEST_TRIM_INTERVAL_MS', 'INGEST_SWEEP_SECONDS', 'RUN_STALE_SECONDS',
    'RETENTION_DAYS', 'LOG_LEVEL', 'INGEST_HEALTH_PORT', 'INGEST_HEALTH_HOST', 'INGEST_FOLD_SECONDS',
    'INGEST_NICE', 'QUARANTINE_AUTO', 'QUARANTINE_MIN_FLIPS', 'QUARANTINE_WINDOW', 'QUARANTINE_RELEASE_PASSES',
  ]);
  return {
    redisUrl: e.REDIS_URL,
    stream: e.RESULTS_STREAM,
    database: parseDatabaseUrl(e.DATABASE_URL),
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
    foldSeconds: e.INGEST_FOLD_SECONDS,
    nice: e.INGEST_NICE,
    quarantine: e.QUARANTINE_AUTO
      ? { minFlips: e.QUARANTINE_MIN_FLIPS, window: e.QUARANTINE_WINDOW, releasePasses: e.QUARANTINE_RELEASE_PASSES }
      : null,
  };
}
