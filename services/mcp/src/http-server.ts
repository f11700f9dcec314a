import { createServer as createNodeServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { guardHttpServer } from '@pytest-platform/config';
import { ApiClient } from './api-client.js';
import type { McpConfig } from './env.js';
import { accessCheck } from './http/access.js';
import { buildRoute } from './http/build-route.js';
import { compareRoute } from './http/compare-route.js';
import { flakyRoute } from './http/flaky-route.js';
import { homeRoute } from './http/home-route.js';
import { mcpRoute } from './http/mcp-route.js';
import { sendErrorPage } from './http/page-response.js';
import { projectRoute } from './http/project-route.js';
import { reportRoute } from './http/report-route.js';
import { sendJsonError } from './http/respond.js';
import type { Route } from './http/route.js';
import { runRoute } from './http/run-route.js';
import { testRoute } from './http/test-route.js';
import { workersRoute } from './http/workers-route.js';
import { createLogger, type Logger } from './logger.js';

export interface HttpServerDeps {
  api?: ApiClient;
  logger?: Logger;
}

/** Every route, in the order they are tried. */
const routes: readonly Route[] = [
  mcpRoute, homeRoute, projectRoute, reportRoute, runRoute, compareRoute, buildRoute, testRoute, flakyRoute, workersRoute,
];

/** The challenge a browser answers with its sign-in prompt; the password is the token. */
const BASIC_CHALLENGE = 'Basic realm="pytest-platform"';

/** Probes come from the kubelet, with the pod's IP as Host and no token; the answer tells nothing about this service. */
const PROBES = new Set(['/livez', '/health']);

/**
 * The MCP service over HTTP: Streamable HTTP at `/mcp`, the pages (`/`, `/projects/{project}`,
 * `/runs/{run_id}` — the link reporters print after a run —, `/compare`, `/builds/{build_id}`,
 * `/tests`, `/flaky`, `/workers`) and `GET /reports/{project}.html`. Every request but the probes
 * passes the {@link accessCheck} first; pages also accept HTTP Basic.
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
  guardHttpServer(server, config.http, (error) => logger.info({ err: error }, 'refused a request: malformed, headers too large, or too slow'));
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
    const found = routes.map((route) => ({ route, match: route.path.exec(url.pathname) })).find(({ match }) => match !== null);
    const page = found ? found.route.page === true : true;
    const refused = refusal(req, { basic: page });
    if (refused) {
      if (refused.status === 403) logger.warn({ host: req.headers.host, origin: req.headers.origin }, `refused: ${refused.code}`);
      if (refused.status === 401 && page) return sendErrorPage(req, res, 401, refused.message, { 'www-authenticate': BASIC_CHALLENGE });
      const challenge: Record<string, string> = refused.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
      return sendJsonError(res, refused.status, refused.code, refused.message, challenge);
    }
    if (found) {
      const { route, match } = found;
      if (!route.methods.includes(req.method ?? '')) {
        const allow = route.methods.join(', ');
        return sendJsonError(res, 405, 'method_not_allowed', `Use ${allow} on ${url.pathname}.`, { allow });
      }
      return route.handle(req, res, { config, api, logger, url, params: match!.slice(1) });
    }
    sendJsonError(res, 404, 'not_found', `No route ${req.method} ${url.pathname}; use POST /mcp, or open / in a browser for the pages.`);
  }

  return server;
}
