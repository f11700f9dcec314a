import { createServer as createNodeServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiClient } from './api-client.js';
import type { McpConfig } from './env.js';
import { accessCheck } from './http/access.js';
import { mcpRoute } from './http/mcp-route.js';
import { reportRoute } from './http/report-route.js';
import { sendJsonError } from './http/respond.js';
import type { Route } from './http/route.js';
import { runLinkRoute } from './http/run-link-route.js';
import { createLogger, type Logger } from './logger.js';

export interface HttpServerDeps {
  api?: ApiClient;
  logger?: Logger;
}

/** Every route, in the order they are tried. */
const routes: readonly Route[] = [mcpRoute, reportRoute, runLinkRoute];

/** Probes come from the kubelet, with the pod's IP as Host and no token; the answer tells nothing about this service. */
const PROBES = new Set(['/livez', '/health']);

/**
 * The MCP service over HTTP: Streamable HTTP at `/mcp`, `GET /reports/{project}.html`, and
 * `GET /runs/{run_id}`, the link reporters print after a run. Every request but the probes passes
 * the {@link accessCheck} first.
 */
export function createHttpServer(config: McpConfig, deps: HttpServerDeps = {}): Server {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const api = deps.api ?? new ApiClient({ apiUrl: config.apiUrl, apiToken: config.apiClientToken, timeoutMs: config.apiTimeoutMs });
  const server = createNodeServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'request failed');
      sendJsonError(res, 500, 'internal', 'internal error');
    });
  });
  const refusal = accessCheck(config, () => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : config.port;
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (PROBES.has(url.pathname) && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    const refused = refusal(req);
    if (refused) {
      if (refused.status === 403) logger.warn({ host: req.headers.host, origin: req.headers.origin }, `refused: ${refused.code}`);
      const challenge: Record<string, string> = refused.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
      return sendJsonError(res, refused.status, refused.code, refused.message, challenge);
    }
    for (const route of routes) {
      const match = route.path.exec(url.pathname);
      if (!match) continue;
      if (!route.methods.includes(req.method ?? '')) {
        const allow = route.methods.join(', ');
        return sendJsonError(res, 405, 'method_not_allowed', `Use ${allow} on ${url.pathname}.`, { allow });
      }
      return route.handle(req, res, { config, api, logger, url, params: match.slice(1) });
    }
    sendJsonError(res, 404, 'not_found', `No route ${req.method} ${url.pathname}; use POST /mcp, GET /reports/{project}.html or GET /runs/{run_id}.`);
  }

  return server;
}
