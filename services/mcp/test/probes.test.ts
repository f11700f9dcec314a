import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort, type RunningService } from '../../../test-support/services.js';
import { startMcpHttp } from './http-server.js';

const TOKEN = 'probe-token-0123456789abcdef';
let mcp: { service: RunningService; url: string; port: number };
let apiUrl: string;

beforeAll(async () => {
  // Nothing answers at API_URL or REDIS_URL: the probes must not care.
  apiUrl = `http://127.0.0.1:${await freePort()}`;
  mcp = await startMcpHttp({ API_URL: apiUrl, API_TOKEN: TOKEN, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
});
afterAll(() => mcp?.service.stop());

/** A raw request, so the Host header can be the pod IP the kubelet sends. */
function get(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${mcp.url}${path}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('GET /livez and /health answer 200 as the kubelet asks (pod IP as Host, no token) while the API and Redis are unreachable', async () => {
  for (const path of ['/livez', '/health']) {
    const res = await get(path, { host: `10.244.1.7:${mcp.port}` });
    expect(res.status, path).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    expect(res.body).not.toContain(apiUrl);
  }
  expect((await get('/livez', { host: `10.244.1.7:${mcp.port}` }, 'HEAD')).status).toBe(200);
});

test('everything else keeps the Host check and the token', async () => {
  expect((await get('/reports/demo.html', { host: `10.244.1.7:${mcp.port}` })).status).toBe(403);
  expect((await get('/reports/demo.html', { host: `127.0.0.1:${mcp.port}` })).status).toBe(401);
  expect((await get('/livez/more', { host: `127.0.0.1:${mcp.port}` })).status).toBe(401);
  expect((await get('/livez', { host: `127.0.0.1:${mcp.port}` }, 'POST')).status).toBe(401);
});
