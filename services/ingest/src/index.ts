export { createIngest } from './ingest.js';
export type { Ingest, IngestDeps } from './ingest.js';
export type { IngestStats } from './ingest-stats.js';
export { loadConfig, ConfigError, logLevels } from './env.js';
export type { IngestConfig, LogLevel } from './env.js';
