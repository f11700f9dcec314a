import { logRedaction } from '@pytest-platform/config';
import { pino, type Logger } from 'pino';

/** Logs JSON lines to stderr only: on stdio, stdout carries the MCP protocol. No header, raw request or URL password reaches a line. */
export function createLogger(level: string): Logger {
  return pino({ ...logRedaction, level, base: { service: 'mcp' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
