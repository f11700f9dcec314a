import { ConfigError, loadConfig } from './env.js';
import { createHttpServer } from './http-server.js';
import { createLogger } from './logger.js';

if (process.argv.includes('--stdio')) {
  await import('./stdio.js');
} else {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`pytest-platform-mcp: ${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const server = createHttpServer(config, { logger });
  server.on('error', (error) => {
    logger.fatal({ err: error }, `cannot listen on ${config.host}:${config.port}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ url: `http://${config.host}:${port}/mcp`, api_url: config.apiUrl, auth: Boolean(config.apiToken) }, 'ready');
  });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
