import { createServer, type Server } from 'node:http';
import type { Ingest } from './ingest.js';

/**
 * `GET /health` for container probes: 200 with the counters while the consume loop runs, 503 once
 * it has stopped. Ingest has no other HTTP surface.
 */
export function startHealthServer(ingest: Pick<Ingest, 'stats'>, isRunning: () => boolean, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const ok = isRunning();
    const body = req.url === '/health' ? { status: ok ? 'ok' : 'stopped', ...ingest.stats() } : { error: { code: 'not_found', message: 'only GET /health is served here' } };
    res.writeHead(req.url === '/health' ? (ok ? 200 : 503) : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
