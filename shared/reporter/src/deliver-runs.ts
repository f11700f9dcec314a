import { wireJson, type RunResult } from '@pytest-platform/schema';
import type { Redis } from 'ioredis';
import { closeRedis, connectRedis } from './redis-client.js';
import type { ReporterConfig } from './reporter-config.js';
import { flushSpool, spoolRun } from './spool.js';

export type Log = (line: string) => void;
export const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

export interface Delivery {
  /** Runs that went onto the stream. */
  sent: number;
  /** Runs written to the spool directory because Redis could not take them. */
  spooled: number;
  /** Older spooled runs that went onto the stream first. */
  flushed: number;
  /** Why runs were not sent (`Redis unavailable: …`); `null` when all were. */
  failure: string | null;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/**
 * Sends any spooled runs, then `runs`, as `run` entries. When Redis is unreachable, or fails
 * half-way, it spools what was not sent and says why in `failure` (each run's end line tells
 * people); only a run that could not be spooled either costs a line in `log`. Never throws.
 */
export async function deliverRuns(config: ReporterConfig, runs: readonly RunResult[], log: Log = stderrLog): Promise<Delivery> {
  const delivery: Delivery = { sent: 0, spooled: 0, flushed: 0, failure: null };
  let redis: Redis | null = null;
  let failure: string | null = null;
  try {
    if (config.redisUrl === null) throw new Error('REDIS_URL is not set');
    redis = await connectRedis(config.redisUrl);
    const flushed = await flushSpool(redis, config.stream, config.spoolDir);
    delivery.flushed = flushed.sent;
    for (const { file, reason } of flushed.rejected) log(`pytest-platform: spooled file ${file} is invalid and was set aside: ${reason}`);
    for (const run of runs) {
      await redis.xadd(config.stream, '*', 'type', 'run', 'data', wireJson(run));
      delivery.sent += 1;
    }
  } catch (error) {
    failure = describe(error);
  } finally {
    if (redis) await closeRedis(redis);
  }
  const unsent = runs.slice(delivery.sent);
  if (failure !== null && unsent.length > 0) {
    delivery.failure = `Redis unavailable: ${failure}`;
    try {
      for (const run of unsent) {
        await spoolRun(config.spoolDir, run);
        delivery.spooled += 1;
      }
    } catch (error) {
      log(`pytest-platform: Redis unavailable (${failure}) and spooling failed (${describe(error)}); results of ${unsent.length} run(s) lost`);
    }
  }
  return delivery;
}

/** Sends the spool directory's runs; throws when Redis is unreachable. */
export async function flushSpoolDir(config: ReporterConfig, log: Log = stderrLog): Promise<number> {
  if (config.redisUrl === null) throw new Error('REDIS_URL is not set');
  const redis = await connectRedis(config.redisUrl);
  try {
    const flushed = await flushSpool(redis, config.stream, config.spoolDir);
    for (const { file, reason } of flushed.rejected) log(`pytest-platform: spooled file ${file} is invalid and was set aside: ${reason}`);
    return flushed.sent;
  } finally {
    await closeRedis(redis);
  }
}
