import { parseDatabaseUrl } from '@pytest-platform/db';
import { DEFAULT_RESULTS_STREAM, describeIssues } from '@pytest-platform/schema';
import { z } from 'zod';

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema);

const port = z
  .string()
  .regex(/^\d{1,5}$/, { message: 'a port number 0-65535' })
  .transform(Number)
  .pipe(z.number().max(65_535, { message: 'a port number 0-65535' }));

const EnvSchema = z.object({
  API_PORT: optional(port.default(8080)),
  API_HOST: optional(z.string().default('127.0.0.1')),
  REDIS_URL: optional(
    z.string().regex(/^rediss?:\/\//, { message: 'a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379'),
  ),
  RESULTS_STREAM: optional(z.string().min(1).max(200).default(DEFAULT_RESULTS_STREAM)),
  DATABASE_URL: optional(
    z
      .string()
      .default('./data/pytest-platform.sqlite')
      .superRefine((value, ctx) => {
        try {
          parseDatabaseUrl(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^DATABASE_URL: /, '') });
        }
      }),
  ),
  API_TOKEN: optional(z.string().optional()),
  API_READ_TOKEN: optional(z.string().optional()),
  WORKER_ONLINE_MINUTES: optional(
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, { message: 'a positive number of minutes' })
      .transform(Number)
      .pipe(z.number().positive({ message: 'a positive number of minutes' }).max(525_600))
      .default(15),
  ),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
});

/** The API's configuration, parsed once from the environment. */
export interface ApiConfig {
  /** @defaultValue 8080 (`API_PORT`) */
  port: number;
  /** @defaultValue `127.0.0.1` (`API_HOST`) */
  host: string;
  /** @defaultValue `redis://127.0.0.1:6379` (`REDIS_URL`) */
  redisUrl: string;
  /** @defaultValue `pytest-platform:results` (`RESULTS_STREAM`) */
  resultsStream: string;
  /** @defaultValue `./data/pytest-platform.sqlite` (`DATABASE_URL`) */
  databaseUrl: string;
  /** When set, every route but `/health` requires `Authorization: Bearer <token>` (`API_TOKEN`). */
  apiToken: string | undefined;
  /** When set, `Authorization: Bearer <token>` with it may call GET routes only; other methods get 403 (`API_READ_TOKEN`). */
  apiReadToken: string | undefined;
  /** A worker seen within this many minutes is online. @defaultValue 15 (`WORKER_ONLINE_MINUTES`) */
  workerOnlineMinutes: number;
  /** @defaultValue `info` (`LOG_LEVEL`) */
  logLevel: string;
}

export class ConfigError extends Error {}

/** Parses the environment; throws a {@link ConfigError} whose message names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid environment: ${describeIssues(parsed.error)}`);
  const e = parsed.data;
  return {
    port: e.API_PORT,
    host: e.API_HOST,
    redisUrl: e.REDIS_URL,
    resultsStream: e.RESULTS_STREAM,
    databaseUrl: e.DATABASE_URL,
    apiToken: e.API_TOKEN,
    apiReadToken: e.API_READ_TOKEN,
    workerOnlineMinutes: e.WORKER_ONLINE_MINUTES,
    logLevel: e.LOG_LEVEL,
  };
}
