import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RESULTS_STREAM, booleanWords, reporterVariables } from '@pytest-platform/schema';
import { z } from 'zod';

/** Where and how a reporter delivers runs, read from the environment once. */
export interface ReporterConfig {
  /** `PYTEST_PLATFORM=off` (any false word) turns every reporter off: nothing sent, spooled or printed. @defaultValue `true` */
  enabled: boolean;
  /** `PYTEST_PLATFORM_REDIS_URL`, else `REDIS_URL`; `null` turns reporters into silent no-ops. */
  redisUrl: string | null;
  /** `RESULTS_STREAM` @defaultValue `'pytest-platform:results'` */
  stream: string;
  /** `PYTEST_PLATFORM_SPOOL_DIR` @defaultValue `$XDG_CACHE_HOME/pytest-platform/spool` or `~/.cache/pytest-platform/spool` */
  spoolDir: string;
  /** `PYTEST_PLATFORM_STOP_TIMEOUT` (seconds) as milliseconds: the longest a reporter delays the end of a run. @defaultValue `10000` */
  stopTimeoutMs: number;
  /** `PYTEST_PLATFORM_LIVE=1`: send `run.started`, `run.tests` batches and `run.finished` instead of one `run`. @defaultValue `false` */
  live: boolean;
  /** `PYTEST_PLATFORM_URL`: where people open the platform; the end line links `<url>/runs/<run_id>`. @defaultValue `null` */
  publicUrl: string | null;
  /** `PYTEST_PLATFORM_QUIET=1`: no end line on stderr. @defaultValue `false` */
  quiet: boolean;
  /** `GITHUB_STEP_SUMMARY`, the file the run's Markdown summary is appended to; `null` when `PYTEST_PLATFORM_SUMMARY` is a false word. @defaultValue `null` */
  stepSummaryFile: string | null;
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = z.preprocess(blankToUndefined, z.string().optional()).catch(undefined);

const EnvSchema = z.object({
  RESULTS_STREAM: z.preprocess(blankToUndefined, z.string().default(DEFAULT_RESULTS_STREAM)).catch(DEFAULT_RESULTS_STREAM),
  PYTEST_PLATFORM_SPOOL_DIR: optionalText,
  PYTEST_PLATFORM_STOP_TIMEOUT: z.preprocess(blankToUndefined, z.coerce.number().positive().finite().default(10).catch(10)),
  XDG_CACHE_HOME: optionalText,
});

/**
 * A boolean variable read with the contract's words (`1/true/yes/on`, `0/false/no/off`), ignoring
 * case and surrounding blanks; anything else, or unset, is `fallback`.
 */
function parseBoolean(value: string | undefined, fallback: boolean): boolean {
  const word = value?.trim().toLowerCase() ?? '';
  if (booleanWords.true.includes(word)) return true;
  if (booleanWords.false.includes(word)) return false;
  return fallback;
}

const text = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value.trim() : null);

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
  const variables = reporterVariables;
  const redisUrl = variables.redisUrl.map((name) => text(env[name])).find((url) => url !== null);
  const summary = parseBoolean(env[variables.summary], true);
  return {
    enabled: parseBoolean(env[variables.enabled], true),
    redisUrl: redisUrl ?? options.defaultRedisUrl ?? null,
    stream: parsed.RESULTS_STREAM,
    spoolDir: parsed.PYTEST_PLATFORM_SPOOL_DIR ?? defaultSpoolDir(env),
    stopTimeoutMs: Math.round(parsed.PYTEST_PLATFORM_STOP_TIMEOUT * 1000),
    live: parseBoolean(env.PYTEST_PLATFORM_LIVE, false),
    publicUrl: text(env[variables.publicUrl]),
    quiet: parseBoolean(env[variables.quiet], false),
    stepSummaryFile: summary ? text(env[variables.stepSummaryFile]) : null,
  };
}
