import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Ingest } from './ingest.js';

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

/**
 * Probes for containers, ingest's only HTTP surface. `GET /livez` (liveness) answers 200 from the
 * process alone, whatever Redis and the database do. `GET /health` (readiness) answers 200 with the
 * counters while the consume loop runs and Redis answers, 503 with the reason otherwise.
 * Listening starts before ingest does, so a pod waiting for Redis is alive but not ready.
 */
export function startHealthServer(ingest: Pick<Ingest, 'stats' | 'checkReady'>, isRunning: () => boolean, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/livez') return send(res, 200, { status: 'ok' });
    if (path !== '/health') return send(res, 404, { error: { code: 'not_found', message: 'only GET /livez and GET /health are served here' } });
    if (!isRunning()) return send(res, 503, { status: 'stopped', ...ingest.stats() });
    ingest.checkReady().then(
      () => send(res, 200, { status: 'ok', ...ingest.stats() }),
      (error: unknown) => send(res, 503, { status: 'unavailable', reason: error instanceof Error ? error.message : String(error), ...ingest.stats() }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
