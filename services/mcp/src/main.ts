import { describeHttpLimits } from '@pytest-platform/config';
import { ApiClient } from './api-client.js';
import { loadConfigOrExit } from './env.js';
import { createHttpServer } from './http-server.js';
import { createLogger } from './logger.js';
import { startMailService, type MailService } from './mail/mail-service.js';

if (process.argv.includes('--stdio')) {
  await import('./stdio.js');
} else {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const api = new ApiClient({ apiUrl: config.apiUrl, apiToken: config.apiClientToken, timeoutMs: config.apiTimeoutMs });
  const server = createHttpServer(config, { logger, api });
  let mail: MailService | null = null;
  if (config.mail.digestEnabled || config.mail.alertsEnabled) {
    mail = startMailService(config.mail, { api, logger, publicUrl: config.publicUrl });
    mail.ready.catch((error: unknown) => logger.error({ err: error }, 'mail: could not start the digest scheduler or alert reader'));
  }
  server.on('error', (error) => {
    logger.fatal({ err: error }, `cannot listen on ${config.host}:${config.port}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const limits = { ...describeHttpLimits(config.http), api_timeout_ms: config.apiTimeoutMs };
    logger.info({ url: `http://${config.host}:${port}/mcp`, api_url: config.apiUrl, auth: Boolean(config.apiToken ?? config.apiReadToken), limits }, 'ready');
  });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    void Promise.allSettled([closed, mail?.close()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
