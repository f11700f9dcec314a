import { once } from 'node:events';
import { createServer } from 'node:http';
import { openDatabase, parseDatabaseUrl } from '@pytest-platform/db';
import { createRedisClient, redactUrl } from '@pytest-platform/redis';
import { describeHttpLimits, guardHttpServer, logRedaction } from '@pytest-platform/config';
import { limits } from '@pytest-platform/schema';
import { pino } from 'pino';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type ApiConfig } from './env.js';

let config: ApiConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`api: ${error.message}\n`);
  process.exit(2);
}

const logger = pino({ ...logRedaction, level: config.logLevel, base: { service: 'api' }, timestamp: pino.stdTimeFunctions.isoTime });
const target = parseDatabaseUrl(config.databaseUrl);
// The API only reads: a memory map of the SQLite file (SQLite's own limit, ~2 GiB) makes its look-ups cheaper.
const store = await openDatabase(target, {
  mmapBytes: 0x7fff0000,
  onPoolError: (error) => logger.warn({ err: error }, 'an idle database connection failed; the next query reconnects'),
  onMigrationProgress: (message, detail) => logger.info(detail, message),
});
const redis = createRedisClient(config.redisUrl, { name: 'pytest-platform-api', options: { commandTimeout: 5_000 } });
redis.on('error', (error: Error) => logger.warn({ err: error.message, redis: redactUrl(config.redisUrl) }, 'redis error'));

const server = createServer(createApp(config, { store, redis, logger }).callback());
guardHttpServer(server, config.http, (error) => logger.info({ err: error }, 'refused a request: malformed, headers too large, or too slow'));
server.listen(config.port, config.host);
await once(server, 'listening');
const address = server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const host = config.host.includes(':') ? `[${config.host}]` : config.host;
logger.info(
  {
    url: `http://${host}:${port}`,
    redis: redactUrl(config.redisUrl),
    db: target.dialect === 'sqlite' ? target.filename : redactUrl(target.connectionString),
    stream: config.resultsStream,
    auth: config.apiToken !== undefined,
    limits: { ...describeHttpLimits(config.http), body_bytes: limits.entryBytes },
  },
  'ready',
);

let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'closing');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 5_000);
  await closed;
  clearTimeout(force);
  await Promise.allSettled([
    store.close(),
    redis.status === 'ready' ? redis.quit() : Promise.resolve(redis.disconnect()),
  ]);
  logger.info('closed');
  process.exit(0);
}
process.once('SIGINT', (signal) => void shutdown(signal));
process.once('SIGTERM', (signal) => void shutdown(signal));
