import { pino, type Logger } from 'pino';

/** Logs JSON lines to stderr only: on stdio, stdout carries the MCP protocol. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'mcp' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
