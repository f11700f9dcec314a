import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer as createNodeServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RunDetail } from '@pytest-platform/schema';
import { ApiClient } from './api-client.js';
import type { McpConfig } from './env.js';
import { createLogger, type Logger } from './logger.js';
import { REPORT_CSP, renderReport } from './render/report.js';
import { loadReportData } from './report-data.js';
import { createServer } from './server.js';
import { requireProject, ToolFailure } from './tool-result.js';

export interface HttpServerDeps {
  api?: ApiClient;
  logger?: Logger;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function sendJson(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * The MCP service over HTTP: Streamable HTTP at `/mcp` (stateless: one MCP server per request),
 * `GET /reports/{project}.html`, and `GET /runs/{run_id}`, the link reporters print after a run. Host and Origin are checked against DNS rebinding; when
 * `API_TOKEN` or `API_READ_TOKEN` is set every request but the probes (`/livez`, `/health`) needs `Authorization: Bearer <token>` with one of them
 * (everything here only reads, so both grant the same).
 */
export function createHttpServer(config: McpConfig, deps: HttpServerDeps = {}): Server {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const api = deps.api ?? new ApiClient({ apiUrl: config.apiUrl, apiToken: config.apiToken ?? config.apiReadToken, timeoutMs: config.apiTimeoutMs });

  const server = createNodeServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'request failed');
      sendJson(res, 500, 'internal', 'internal error');
    });
  });

  const allowedHosts = (): Set<string> => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    return new Set([...LOOPBACK.map((host) => `${host}:${port}`), ...config.allowedHosts]);
  };

  const hostAllowed = (host: string | undefined): boolean => {
    if (!host) return false;
    const allowed = allowedHosts();
    const lower = host.toLowerCase();
    if (allowed.has(lower)) return true;
    const name = lower.replace(/:\d+$/, '');
    return config.allowedHosts.includes(name);
  };

  const originAllowed = (origin: string | undefined): boolean => {
    if (origin === undefined) return true;
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && hostAllowed(url.host || url.hostname);
    } catch {
      return false;
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Probes come from the kubelet, with the pod's IP as Host and no token; the answer tells nothing about this service.
    if ((url.pathname === '/livez' || url.pathname === '/health') && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (!hostAllowed(req.headers.host)) {
      logger.warn({ host: req.headers.host }, 'refused foreign Host header');
      return sendJson(res, 403, 'forbidden_host', `Host ${JSON.stringify(req.headers.host ?? '')} is not allowed; add it to MCP_ALLOWED_HOSTS.`);
    }
    if (!originAllowed(req.headers.origin)) {
      logger.warn({ origin: req.headers.origin }, 'refused foreign Origin header');
      return sendJson(res, 403, 'forbidden_origin', `Origin ${JSON.stringify(req.headers.origin)} is not allowed.`);
    }
    const tokens = [config.apiToken, config.apiReadToken].filter((token) => token !== undefined);
    if (tokens.length > 0) {
      const header = req.headers.authorization ?? '';
      const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
      // Every token is compared, so the timing does not tell which one matched.
      const matches = tokens.map((token) => given !== undefined && safeEqual(given, token));
      if (!matches.includes(true)) {
        return sendJson(res, 401, 'unauthorized', 'Send Authorization: Bearer <API_TOKEN> (or API_READ_TOKEN).', { 'www-authenticate': 'Bearer' });
      }
    }

    if (url.pathname === '/mcp') return handleMcp(req, res);
    const report = /^\/reports\/([^/]+)\.html$/.exec(url.pathname);
    if (report?.[1]) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, 'method_not_allowed', 'Use GET.', { allow: 'GET, HEAD' });
      return handleReport(req, res, decodeURIComponent(report[1]), url.searchParams.get('branch') || undefined);
    }
    const runLink = /^\/runs\/([^/]+)$/.exec(url.pathname);
    if (runLink?.[1]) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, 'method_not_allowed', 'Use GET.', { allow: 'GET, HEAD' });
      return handleRunLink(req, res, runLink[1]);
    }
    sendJson(res, 404, 'not_found', `No route ${req.method} ${url.pathname}; use POST /mcp, GET /reports/{project}.html or GET /runs/{run_id}.`);
  }

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      return sendJson(res, 405, 'method_not_allowed', 'This server is stateless: send JSON-RPC with POST /mcp.', { allow: 'POST' });
    }
    const mcp = createServer(config, { api, logger });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  }

  async function handleReport(req: IncomingMessage, res: ServerResponse, project: string, branch: string | undefined): Promise<void> {
    const text = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': REPORT_CSP });
      res.end(body);
    };
    try {
      await requireProject({ api, config, logger }, project);
      const report = renderReport(await loadReportData(api, { project, branch }));
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': String(report.bytes),
        'content-security-policy': REPORT_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : report.html);
    } catch (error) {
      if (error instanceof ToolFailure) return text(404, error.message);
      logger.warn({ err: (error as Error).message, project }, 'report failed');
      text(502, (error as Error).message);
    }
  }

  /**
   * Where a run's results are: until a run page exists, a redirect to its project's report (on its
   * branch). Answers say nothing about the API behind this service.
   */
  async function handleRunLink(req: IncomingMessage, res: ServerResponse, encodedRunId: string): Promise<void> {
    const text = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    let runId: string;
    try {
      runId = decodeURIComponent(encodedRunId);
    } catch {
      return text(400, 'The run id in this link is not valid.');
    }
    let run: RunDetail | null;
    try {
      run = await api.run(runId);
    } catch (error) {
      logger.warn({ err: (error as Error).message, run_id: runId }, 'run link failed');
      return text(502, 'The results are not available right now; try again later.');
    }
    if (!run) return text(404, `No run ${JSON.stringify(runId.slice(0, 128))} is stored. A run appears here once it has been sent and stored.`);
    const branch = run.branch === null ? '' : `?branch=${encodeURIComponent(run.branch)}`;
    const location = `/reports/${encodeURIComponent(run.project)}.html${branch}`;
    text(302, `The results of run ${run.run_id} are in the report at ${location}`, { location });
  }

  return server;
}
