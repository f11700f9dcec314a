import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RESULTS_STREAM } from '@pytest-platform/schema';
import { z } from 'zod';

/** Where and how a reporter delivers runs, read from the environment once. */
export interface ReporterConfig {
  /** `REDIS_URL`; `null` turns reporters into silent no-ops. */
  redisUrl: string | null;
  /** `RESULTS_STREAM` @defaultValue `'pytest-platform:results'` */
  stream: string;
  /** `PYTEST_PLATFORM_SPOOL_DIR` @defaultValue `$XDG_CACHE_HOME/pytest-platform/spool` or `~/.cache/pytest-platform/spool` */
  spoolDir: string;
  /** `PYTEST_PLATFORM_STOP_TIMEOUT` (seconds) as milliseconds: the longest a reporter delays the end of a run. @defaultValue `10000` */
  stopTimeoutMs: number;
  /** `PYTEST_PLATFORM_LIVE=1`: send `run.started`, `run.tests` batches and `run.finished` instead of one `run`. @defaultValue `false` */
  live: boolean;
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const EnvSchema = z.object({
  REDIS_URL: z.preprocess(blankToUndefined, z.string().optional()),
  RESULTS_STREAM: z.preprocess(blankToUndefined, z.string().default(DEFAULT_RESULTS_STREAM)),
  PYTEST_PLATFORM_SPOOL_DIR: z.preprocess(blankToUndefined, z.string().optional()),
  PYTEST_PLATFORM_STOP_TIMEOUT: z.preprocess(blankToUndefined, z.coerce.number().positive().finite().default(10).catch(10)),
  PYTEST_PLATFORM_LIVE: z.preprocess(blankToUndefined, z.string().optional()),
  XDG_CACHE_HOME: z.preprocess(blankToUndefined, z.string().optional()),
});

/** The spool directory the Node reporters and the Python plugin share. */
export function defaultSpoolDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME?.trim() ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(cache, 'pytest-platform', 'spool');
}

/**
 * Reads the reporter settings. Never throws: a reporter must not break a test run over a typo,
 * so a bad value falls back to its default.
 */
export function readReporterConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { defaultRedisUrl?: string } = {},
): ReporterConfig {
  const parsed = EnvSchema.parse(env);
  return {
    redisUrl: parsed.REDIS_URL ?? options.defaultRedisUrl ?? null,
    stream: parsed.RESULTS_STREAM,
    spoolDir: parsed.PYTEST_PLATFORM_SPOOL_DIR ?? defaultSpoolDir(env),
    stopTimeoutMs: Math.round(parsed.PYTEST_PLATFORM_STOP_TIMEOUT * 1000),
    live: ['1', 'true', 'yes', 'on'].includes((parsed.PYTEST_PLATFORM_LIVE ?? '').toLowerCase()),
  };
}
