import { describeIssues } from '@pytest-platform/schema';
import { z } from 'zod';
import { MailEnvShape, mailSettings, type MailConfig } from './mail-config.js';

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema);

const port = z.coerce.number().int().min(0).max(65_535);
const httpUrl = z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL' });

const EnvSchema = z.object({
  MCP_PORT: optional(port.default(8081)),
  MCP_HOST: optional(z.string().default('127.0.0.1')),
  API_URL: optional(httpUrl.optional()),
  MASTER_URL: optional(httpUrl.optional()),
  API_TOKEN: optional(z.string().min(16, { message: 'at least 16 characters' }).optional()),
  API_READ_TOKEN: optional(z.string().min(16, { message: 'at least 16 characters' }).optional()),
  API_TIMEOUT_MS: optional(z.coerce.number().int().min(100).max(300_000).default(10_000)),
  MCP_ALLOWED_HOSTS: optional(
    z
      .string()
      .default('')
      .transform((value) => value.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean)),
  ),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  ...MailEnvShape,
});

/** The MCP service's configuration, parsed once from the environment. */
export interface McpConfig {
  /** @defaultValue 8081 (`MCP_PORT`) */
  port: number;
  /** @defaultValue `127.0.0.1` (`MCP_HOST`) */
  host: string;
  /** Base URL of the read API, without a trailing slash. @defaultValue `http://127.0.0.1:8080` (`API_URL`, alias `MASTER_URL`) */
  apiUrl: string;
  /** Sent to the API as a bearer token, and required from HTTP clients of this service (`API_TOKEN`). */
  apiToken: string | undefined;
  /** Also accepted from HTTP clients (every MCP tool and report only reads), and sent to the API when `API_TOKEN` is unset (`API_READ_TOKEN`). */
  apiReadToken?: string | undefined;
  /** How long one API request may take. @defaultValue 10000 (`API_TIMEOUT_MS`) */
  apiTimeoutMs: number;
  /** Extra `Host` values accepted over HTTP besides 127.0.0.1, localhost and [::1] on the port (`MCP_ALLOWED_HOSTS`, comma-separated). */
  allowedHosts: string[];
  /** @defaultValue `info` (`LOG_LEVEL`) */
  logLevel: string;
  /** E-mail digest and alerts; off unless `SMTP_URL` is set or they are enabled explicitly. */
  mail: MailConfig;
}

export class ConfigError extends Error {}

/** Parses the environment; throws a {@link ConfigError} whose message names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): McpConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid environment: ${describeIssues(parsed.error)}`);
  const e = parsed.data;
  return {
    port: e.MCP_PORT,
    host: e.MCP_HOST,
    apiUrl: (e.API_URL ?? e.MASTER_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    apiToken: e.API_TOKEN,
    apiReadToken: e.API_READ_TOKEN,
    apiTimeoutMs: e.API_TIMEOUT_MS,
    allowedHosts: e.MCP_ALLOWED_HOSTS,
    logLevel: e.LOG_LEVEL,
    mail: mailSettings(e),
  };
}

/** A configuration for tests and embedding: defaults plus `overrides`. */
export function testConfig(overrides: Partial<McpConfig> = {}): McpConfig {
  return { ...loadConfig({}), ...overrides };
}

/** {@link loadConfig} for an entry point: a bad variable prints one line naming it and exits 2. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): McpConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`pytest-platform-mcp: ${error.message}\n`);
    process.exit(2);
  }
}
