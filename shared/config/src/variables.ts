import { DEFAULT_RESULTS_STREAM } from '@pytest-platform/schema';
import { z } from 'zod';
import { DEFAULT_SQLITE_FILE } from './database-url.js';
import {
  boolean, cron, databaseUrl, emails, host, httpUrl, integer, list, logLevel, port, positiveNumber, redisUrl, smtpUrl, streamName, text,
  timeZone, token,
} from './rules.js';
import { variable } from './variable.js';

/**
 * Every variable a service reads, each with its one rule. A service picks the ones it needs with
 * `readVariables(env, [...])`; the README's configuration table lists the same names.
 */
export const variables = {
  REDIS_URL: variable(redisUrl, { default: 'redis://127.0.0.1:6379', secret: true, doc: 'the Redis server (rediss:// for TLS, redis://user:pass@… for ACL)' }),
  RESULTS_STREAM: variable(streamName, { default: DEFAULT_RESULTS_STREAM, doc: 'the results stream; dead letters in <stream>:dead, events in <stream>:events' }),
  DATABASE_URL: variable(databaseUrl, { default: DEFAULT_SQLITE_FILE, secret: true, doc: 'a file path or sqlite:<path>; postgres://… selects Postgres' }),
  LOG_LEVEL: variable(logLevel, { default: 'info', doc: 'fatal, error, warn, info, debug, trace or silent' }),

  API_PORT: variable(port, { default: 8080, doc: 'where the API listens' }),
  API_HOST: variable(host, { default: '127.0.0.1', doc: 'the address the API binds' }),
  API_TOKEN: variable(token, { secret: true, doc: 'the full-access bearer token; unset: no authentication' }),
  API_READ_TOKEN: variable(token, { secret: true, doc: 'a read-only bearer token (GET routes, MCP tools, pages)' }),
  WORKER_ONLINE_MINUTES: variable(positiveNumber(525_600, 'minutes'), { default: 15, doc: 'a worker seen within this window is online' }),

  HTTP_HEADERS_TIMEOUT_MS: variable(integer(100, 600_000), { default: 10_000, doc: "the API's and MCP's time for a request's headers to arrive" }),
  HTTP_REQUEST_TIMEOUT_MS: variable(integer(100, 3_600_000), { default: 30_000, doc: "the API's and MCP's time for a whole request, body included, to arrive" }),
  HTTP_KEEPALIVE_TIMEOUT_MS: variable(integer(100, 600_000), { default: 5_000, doc: 'an idle keep-alive connection of the API or MCP is closed after this' }),
  HTTP_MAX_CONNECTIONS: variable(integer(1, 1_000_000), { default: 1_000, doc: 'connections the API and MCP each hold at once; more are closed' }),

  API_URL: variable(httpUrl, { doc: 'where the MCP service reaches the API (default http://127.0.0.1:8080)' }),
  MASTER_URL: variable(httpUrl, { doc: 'an alias of API_URL' }),
  API_TIMEOUT_MS: variable(integer(100, 300_000), { default: 10_000, doc: 'how long the MCP service waits for the API' }),
  MCP_PORT: variable(port, { default: 8081, doc: 'where the MCP HTTP service listens' }),
  MCP_HOST: variable(host, { default: '127.0.0.1', doc: 'the address the MCP HTTP service binds' }),
  MCP_ALLOWED_HOSTS: variable(list(z.string().transform((h) => h.toLowerCase())), { default: [], doc: 'extra Host names the MCP HTTP service accepts, comma-separated' }),
  PUBLIC_URL: variable(httpUrl, { doc: 'the MCP service as readers reach it, for links in pages and e-mails' }),

  INGEST_CONSUMER: variable(text(200), { doc: "this replica's name in the consumer group (default <hostname>-<pid>)" }),
  INGEST_BATCH_SIZE: variable(integer(1), { default: 200, doc: 'most entries per read and per transaction' }),
  INGEST_BATCH_BYTES: variable(integer(65_536), { default: 8 * 1024 * 1024, doc: 'about how much entry data one batch holds' }),
  INGEST_BLOCK_MS: variable(integer(1), { default: 2000, doc: 'longest blocking read' }),
  INGEST_CLAIM_IDLE_MS: variable(integer(1), { default: 30_000, doc: 'entries pending this long at another consumer are reclaimed' }),
  INGEST_MAX_DELIVERIES: variable(integer(1), { default: 5, doc: 'an entry failing this often is dead-lettered' }),
  INGEST_TRIM_INTERVAL_MS: variable(integer(100), { default: 5000, doc: 'how often acknowledged entries are trimmed' }),
  INGEST_SWEEP_SECONDS: variable(integer(1), { default: 30, doc: 'how often silent live runs are looked for' }),
  RUN_STALE_SECONDS: variable(integer(1), { default: 300, doc: 'a live run silent this long is interrupted' }),
  RETENTION_DAYS: variable(positiveNumber(36_500, 'days'), { doc: 'runs that started longer ago are deleted; unset: keep forever' }),
  INGEST_HEALTH_PORT: variable(integer(1, 65_535), { doc: "serve ingest's /health and /livez at this port; unset: no port" }),
  INGEST_HEALTH_HOST: variable(host, { default: '127.0.0.1', doc: "the address ingest's health port binds" }),
  INGEST_NICE: variable(integer(0, 19), { default: 10, doc: "ingest's CPU niceness: on a shared machine the API's reads go first; 0 keeps the launcher's" }),
  INGEST_FOLD_SECONDS: variable(integer(1, 3_600), { default: 10, doc: 'how often ingest folds finished runs into test durations and the quarantine policy, and publishes both' }),
  QUARANTINE_AUTO: variable(boolean, { default: false, doc: 'quarantine flaky tests automatically and release them after consecutive passes' }),
  QUARANTINE_MIN_FLIPS: variable(integer(1, 1_000), { default: 3, doc: 'runs with flaky evidence that quarantine a test automatically' }),
  QUARANTINE_WINDOW: variable(integer(2, 1_000), { default: 30, doc: 'the last N finished runs of a project the automatic policy looks at' }),
  QUARANTINE_RELEASE_PASSES: variable(integer(1, 10_000), { default: 20, doc: 'consecutive passes that release an automatic quarantine' }),

  QUEUE_PREFIX: variable(text(200), { doc: 'prefix of the mail queue and its state (default <RESULTS_STREAM>:mail)' }),
  SMTP_URL: variable(smtpUrl, { secret: true, doc: 'the SMTP server; unset: mail is off' }),
  MAIL_FROM: variable(text(320), { default: 'pytest-platform <pytest-platform@localhost>', doc: 'the sender' }),
  DIGEST_TO: variable(emails, { default: [], doc: 'digest recipients, comma-separated' }),
  ALERT_TO: variable(emails, { doc: 'alert recipients (default DIGEST_TO)' }),
  DIGEST_CRON: variable(cron, { default: '0 8 * * 1-5', doc: 'when the digest is sent (5 cron fields, or 6 with seconds first)' }),
  DIGEST_TZ: variable(timeZone, { default: 'UTC', doc: 'the time zone of DIGEST_CRON' }),
  DIGEST_PROJECTS: variable(list(text(255)), { default: [], doc: 'projects in the digest; empty: all' }),
  DIGEST_ENABLED: variable(boolean, { doc: 'default: on when SMTP_URL and DIGEST_TO are set' }),
  ALERTS_ENABLED: variable(boolean, { doc: 'default: on when SMTP_URL and alert recipients are set' }),
  ALERT_BRANCHES: variable(list(text(255)), { default: ['main'], doc: 'branches whose new failures are alerted' }),
  MAIL_ATTEMPTS: variable(integer(1, 100), { default: 8, doc: 'tries per mail job' }),
  MAIL_BACKOFF_MS: variable(integer(10, 3_600_000), { default: 30_000, doc: 'first retry delay, doubling' }),
} as const;

export type VariableName = keyof typeof variables;
