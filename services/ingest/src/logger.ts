import { pino, type Logger } from 'pino';
import type { LogLevel } from './env.js';

/** JSON lines on stdout. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'ingest' }, timestamp: pino.stdTimeFunctions.isoTime });
}
