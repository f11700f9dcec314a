export { createIngest } from './ingest.js';
export type { Ingest, IngestDeps, IngestStats } from './ingest.js';
export { loadConfig, ConfigError, logLevels } from './env.js';
export type { IngestConfig, LogLevel } from './env.js';
