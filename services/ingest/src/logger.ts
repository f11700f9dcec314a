import { logRedaction } from '@pytest-platform/config';
import { pino, type Logger } from 'pino';
import type { LogLevel } from './env.js';

/** JSON lines on stdout. No header, raw request or URL password reaches a line. */
export function createLogger(level: LogLevel): Logger {
  return pino({ ...logRedaction, level, base: { service: 'ingest' }, timestamp: pino.stdTimeFunctions.isoTime });
}
