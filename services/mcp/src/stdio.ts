import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfigOrExit } from './env.js';
import { createLogger } from './logger.js';
import { createServer } from './server.js';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
const server = createServer(config, { logger });
await server.connect(new StdioServerTransport());
logger.info({ transport: 'stdio', api_url: config.apiUrl }, 'ready');

const shutdown = () => {
  void server.close().finally(() => process.exit(0));
};
process.stdin.once('end', shutdown);
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
