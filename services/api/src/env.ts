import { ConfigError, httpLimits, httpLimitVariables, readVariables, type Env, type HttpLimits, type LogLevel } from '@pytest-platform/config';

export { ConfigError };

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
  /** When set, every route but `/health` and `/livez` requires `Authorization: Bearer <token>` (`API_TOKEN`). */
  apiToken: string | undefined;
  /** When set, `Authorization: Bearer <token>` with it may call GET routes only; other methods get 403 (`API_READ_TOKEN`). */
  apiReadToken: string | undefined;
  /** A worker seen within this many minutes is online. @defaultValue 15 (`WORKER_ONLINE_MINUTES`) */
  workerOnlineMinutes: number;
  /** @defaultValue `info` (`LOG_LEVEL`) */
  logLevel: LogLevel;
  /** Timeouts and the connection cap of the HTTP server (`HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`, `HTTP_KEEPALIVE_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS`). */
  http: HttpLimits;
}

/** Parses the environment; throws a {@link ConfigError} whose message names the variable. */
export function loadConfig(env: Env = process.env): ApiConfig {
  const e = readVariables(env, [
    'API_PORT', 'API_HOST', 'REDIS_URL', 'RESULTS_STREAM', 'DATABASE_URL', 'API_TOKEN', 'API_READ_TOKEN', 'WORKER_ONLINE_MINUTES', 'LOG_LEVEL',
    ...httpLimitVariables,
  ]);
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
    http: httpLimits(e),
  };
}
