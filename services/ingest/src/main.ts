import { ConfigError, loadConfig, type IngestConfig } from './env.js';
import { lowerCpuPriority } from './cpu-priority.js';
import { startHealthServer } from './health-server.js';
import { createIngest } from './ingest.js';
import { createLogger } from './logger.js';

let config: IngestConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`ingest: ${error.message}\n`);
  process.exit(2);
}

const logger = createLogger(config.logLevel);
// Ingest is throughput work: on a machine it shares, the API's reads and the MCP's pages go first.
try {
  logger.info({ nice: lowerCpuPriority(config.nice) }, 'cpu priority (INGEST_NICE)');
} catch (error) {
  logger.warn({ err: error, nice: config.nice }, 'could not lower the cpu priority (INGEST_NICE); running at the launcher\'s');
}
const ingest = createIngest(config, { logger });

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  ingest.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'could not stop cleanly');
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// Probes listen before ingest starts: while it waits for Redis or the database it is alive (/livez), not ready (/health).
if (config.healthPort !== null) {
  const url = `http://${config.healthHost.includes(':') ? `[${config.healthHost}]` : config.healthHost}:${config.healthPort}`;
  try {
    const server = await startHealthServer(ingest, () => !stopping, config.healthHost, config.healthPort);
    server.unref();
  } catch (error) {
    logger.fatal({ err: error }, `cannot listen on ${url} (INGEST_HEALTH_HOST, INGEST_HEALTH_PORT)`);
    process.exit(1);
  }
  logger.info({ livez: `${url}/livez`, health: `${url}/health` }, 'health endpoint listening');
}

try {
  await ingest.start();
} catch (error) {
  const message = `could not start: ${error instanceof Error ? error.message : String(error)}`;
  logger.fatal({ err: error }, message);
  await ingest.close().catch(() => {});
  process.exit(1);
}
