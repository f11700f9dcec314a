import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHttpServer, testConfig } from '../src/index.js';
import { repoRoot, type RunningService } from '../../../test-support/services.js';
import { startMcpHttp } from './http-server.js';
import { startStack, type Stack } from './stack.js';

const TOKEN = 'test-token-0123456789abcdef';
let stack: Stack;
let mcp: { service: RunningService; url: string; port: number };

beforeAll(async () => {
  stack = await startStack({ token: TOKEN });
  mcp = await startMcpHttp({ API_URL: stack.apiUrl, API_TOKEN: TOKEN });
});
afterAll(async () => {
  await mcp?.service.stop();
  await stack?.stop();
});

/** A raw HTTP request, so the Host header can be anything. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('MCP over Streamable HTTP with API_TOKEN set', () => {
  test('requests without the right bearer token get 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: TOKEN }] as Record<string, string>[]) {
      const res = await get(`${mcp.url}/mcp`, { ...mcpHeaders, ...headers }, 'POST', initialize);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect((await get(`${mcp.url}/reports/demo.html`)).status).toBe(401);
  });

  test('a foreign Host or Origin header is refused with 403, even with the token', async () => {
    const host = await get(`${mcp.url}/mcp`, { ...mcpHeaders, ...auth, host: 'evil.example:80' }, 'POST', initialize);
    expect(host.status).toBe(403);
    expect(host.body).toContain('MCP_ALLOWED_HOSTS');
    const rebinding = await get(`${mcp.url}/reports/demo.html`, { ...auth, host: `attacker.example:${mcp.port}` });
    expect(rebinding.status).toBe(403);
    const origin = await get(`${mcp.url}/mcp`, { ...mcpHeaders, ...auth, origin: 'http://evil.example' }, 'POST', initialize);
    expect(origin.status).toBe(403);
    const ok = await get(`${mcp.url}/mcp`, { ...mcpHeaders, ...auth, host: `localhost:${mcp.port}`, origin: `http://localhost:${mcp.port}` }, 'POST', initialize);
    expect(ok.status).toBe(200);
  });

  test('an MCP client with the token lists tools and calls get_summary', async () => {
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${mcp.url}/mcp`), { requestInit: { headers: auth } }));
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(13);
    const result = await client.callTool({ name: 'get_summary', arguments: { project: 'demo', limit: 4 } });
    expect(result.isError ?? false).toBe(false);
    expect((result.structuredContent as { runs: unknown[] }).runs).toHaveLength(4);
    await client.close();
  });

  test('GET /reports/{project}.html serves the report with a CSP header', async () => {
    const res = await get(`${mcp.url}/reports/demo.html?branch=main`, auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(res.body).toMatch(/^<!doctype html>/);
    expect(res.body).toContain('demo <small>main</small>');
    const unknown = await get(`${mcp.url}/reports/nope.html`, auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('Known projects: "acme/shop", "demo", "other"');
  });

  test('GET /runs/{run_id} redirects to the report of the run\'s project and branch, which answers 200', async () => {
    const [shard] = stack.runs['acme/shop']!;
    const res = await get(`${mcp.url}/runs/${shard!.run_id}`, auth);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/reports/acme%2Fshop.html?branch=release%2F1.x');
    const followed = await fetch(`${mcp.url}/runs/${shard!.run_id}`, { headers: auth });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${mcp.url}/reports/acme%2Fshop.html?branch=release%2F1.x`);
    expect(followed.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await followed.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('acme/shop <small>release/1.x</small>');

    const demo = stack.runs.demo!.at(-1)!;
    expect((await get(`${mcp.url}/runs/${demo.run_id}`, auth)).headers.location).toBe('/reports/demo.html?branch=main');
    const head = await get(`${mcp.url}/runs/${demo.run_id}`, auth, 'HEAD');
    expect([head.status, head.headers.location, head.body]).toEqual([302, '/reports/demo.html?branch=main', '']);
  });

  test('GET /runs/{run_id} of an unknown run is a plain 404 that says nothing about the API; the access rules are those of the reports', async () => {
    const unknown = await get(`${mcp.url}/runs/no-such-run`, auth);
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(unknown.body).toBe('No run "no-such-run" is stored. A run appears here once it has been sent and stored.');
    expect(unknown.body).not.toContain(stack.apiUrl);

    const demo = stack.runs.demo!.at(-1)!;
    expect((await get(`${mcp.url}/runs/${demo.run_id}`)).status).toBe(401);
    expect((await get(`${mcp.url}/runs/${demo.run_id}`, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await get(`${mcp.url}/runs/${demo.run_id}`, { ...auth, host: `attacker.example:${mcp.port}` })).status).toBe(403);
    const post = await get(`${mcp.url}/runs/${demo.run_id}`, auth, 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });
});

test('MCP_ALLOWED_HOSTS adds accepted Host values', async () => {
  const server = createHttpServer(testConfig({ allowedHosts: ['mcp.internal', 'reports.example:8443'], logLevel: 'silent', apiUrl: 'http://127.0.0.1:1' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // An unknown path: 404 once the Host passed, 403 when it did not (the probes answer every Host).
  const status = async (host: string) => (await get(`http://127.0.0.1:${port}/nowhere`, { host })).status;
  expect(await status('mcp.internal')).toBe(404);
  expect(await status('mcp.internal:9999')).toBe(404);
  expect(await status('reports.example:8443')).toBe(404);
  expect(await status('reports.example:80')).toBe(403);
  expect(await status(`[::1]:${port}`)).toBe(404);
  expect(await status(`localhost:${port + 1}`)).toBe(403);
  await new Promise((resolve) => server.close(resolve));
});

test('an invalid environment value stops the service with exit code 2 naming the variable', async () => {
  for (const [name, value] of [['MCP_PORT', 'eighty'], ['API_URL', 'ftp://x'], ['LOG_LEVEL', 'loud']] as const) {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@pytest-platform/source', 'services/mcp/src/main.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', [name]: value },
    });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => proc.on('exit', resolve));
    expect(code, name).toBe(2);
    expect(stderr).toContain(name);
  }
});
