import { ConfigError, httpLimits, httpLimitVariables, readVariables, type Env, type HttpLimits, type LogLevel } from '@pytest-platform/config';
import { mailSettings, mailVariables, type MailConfig } from './mail/mail-config.js';

export { ConfigError };

/** The MCP service's configuration, parsed once from the environment. */
export interface McpConfig {
  /** @defaultValue 8081 (`MCP_PORT`) */
  port: number;
  /** @defaultValue `127.0.0.1` (`MCP_HOST`) */
  host: string;
  /** Base URL of the read API, without a trailing slash. @defaultValue `http://127.0.0.1:8080` (`API_URL`, alias `MASTER_URL`) */
  apiUrl: string;
  /** Required from HTTP clients of this service (`API_TOKEN`). */
  apiToken: string | undefined;
  /** Also accepted from HTTP clients: every MCP tool and page only reads (`API_READ_TOKEN`). */
  apiReadToken?: string | undefined;
  /** What this service sends to the API: `API_TOKEN`, else `API_READ_TOKEN`. */
  apiClientToken: string | undefined;
  /** How long one API request may take. @defaultValue 10000 (`API_TIMEOUT_MS`) */
  apiTimeoutMs: number;
  /** Extra `Host` values accepted over HTTP besides 127.0.0.1, localhost and [::1] on the port (`MCP_ALLOWED_HOSTS`, comma-separated). */
  allowedHosts: string[];
  /** @defaultValue `info` (`LOG_LEVEL`) */
  logLevel: LogLevel;
  /** This service as readers reach it, without a trailing slash: links in e-mails and `page_url` in tool results (`PUBLIC_URL`); unset: none. */
  publicUrl: string | undefined;
  /** E-mail digest and alerts; off unless `SMTP_URL` is set or they are enabled explicitly. */
  mail: MailConfig;
  /** Timeouts and the connection cap of the HTTP server (`HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`, `HTTP_KEEPALIVE_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS`). */
  http: HttpLimits;
}

/** Parses the environment; throws a {@link ConfigError} whose message names the variable. */
export function loadConfig(env: Env = process.env): McpConfig {
  const e = readVariables(env, [
    'MCP_PORT', 'MCP_HOST', 'API_URL', 'MASTER_URL', 'API_TOKEN', 'API_READ_TOKEN', 'API_TIMEOUT_MS', 'MCP_ALLOWED_HOSTS', 'LOG_LEVEL', 'PUBLIC_URL',
    ...mailVariables,
    ...httpLimitVariables,
  ]);
  return {
    port: e.MCP_PORT,
    host: e.MCP_HOST,
    apiUrl: e.API_URL ?? e.MASTER_URL ?? 'http://127.0.0.1:8080',
    apiToken: e.API_TOKEN,
    apiReadToken: e.API_READ_TOKEN,
    apiClientToken: e.API_TOKEN ?? e.API_READ_TOKEN,
    apiTimeoutMs: e.API_TIMEOUT_MS,
    allowedHosts: e.MCP_ALLOWED_HOSTS,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.PUBLIC_URL,
    mail: mailSettings(e),
    http: httpLimits(e),
  };
}

/** A configuration for tests and embedding: defaults plus `overrides`. */
export function testConfig(overrides: Partial<McpConfig> = {}): McpConfig {
  const config = { ...loadConfig({}), ...overrides };
  return { ...config, apiClientToken: overrides.apiClientToken ?? config.apiToken ?? config.apiReadToken };
}

/** {@link loadConfig} for an entry point: a bad variable prints one line naming it and exits 2. */
export function loadConfigOrExit(env: Env = process.env): McpConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`pytest-platform-mcp: ${error.message}\n`);
    process.exit(2);
  }
}
