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
    expect(tools).toHaveLength(14);
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

  test('GET /runs/{run_id}, the link reporters print, is the run page: 200 HTML with the report CSP', async () => {
    const [shard] = stack.runs['acme/shop']!;
    const res = await get(`${mcp.url}/runs/${shard!.run_id}`, auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(res.body).toMatch(/^<!doctype html>/);
    expect(res.body).toContain(`<title>Run ${shard!.run_id} of acme/shop (passed) — pytest-platform</title>`);
    expect(res.body).toContain('<a href="/builds/4242-1?project=acme%2Fshop"><code>4242-1</code></a> · shard 1/2');
    const head = await get(`${mcp.url}/runs/${shard!.run_id}`, auth, 'HEAD');
    expect([head.status, head.headers['content-type'], head.body]).toEqual([200, 'text/html; charset=utf-8', '']);
  });

  test('GET /runs/{run_id} of an unknown run is a 404 page that says nothing about the API; the access rules are those of every page', async () => {
    const unknown = await get(`${mcp.url}/runs/no-such-run`, auth);
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(unknown.body).toContain('No run &quot;no-such-run&quot; is stored. A run appears here once it has been sent and stored.');
    expect(unknown.body).not.toContain(stack.apiUrl);

    const demo = stack.runs.demo!.at(-1)!;
    expect((await get(`${mcp.url}/runs/${demo.run_id}`)).status).toBe(401);
    expect((await get(`${mcp.url}/runs/${demo.run_id}`, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await get(`${mcp.url}/runs/${demo.run_id}`, { ...auth, host: `attacker.example:${mcp.port}` })).status).toBe(403);
    const post = await get(`${mcp.url}/runs/${demo.run_id}`, auth, 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  test('pages take HTTP Basic with the token as the password (any user name); without it they challenge a browser to sign in', async () => {
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    const demo = stack.runs.demo!.at(-1)!;
    for (const path of ['/', '/workers', `/runs/${demo.run_id}`, '/reports/demo.html', '/projects/demo', '/flaky?project=demo']) {
      for (const user of ['', 'anyone', 'ci:bot']) {
        const opened = await get(`${mcp.url}${path}`, basic(user, TOKEN));
        expect(opened.status, `${path} as ${user}`).toBe(200);
        expect(opened.body).toMatch(/^<!doctype html>/);
      }
      for (const headers of [{}, basic('anyone', 'wrong-token-0123456789'), basic(TOKEN, ''), { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
        const refused = await get(`${mcp.url}${path}`, headers);
        expect(refused.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(refused.headers['www-authenticate']).toBe('Basic realm="pytest-platform"');
        expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(refused.body).toContain('<title>Sign in needed (401) — pytest-platform</title>');
        expect(refused.body).not.toContain(TOKEN);
      }
    }
    // No link on a page carries the token.
    const page = await get(`${mcp.url}/runs/${demo.run_id}`, basic('me', TOKEN));
    expect(page.body).not.toContain(TOKEN);
    // /mcp keeps Bearer only: Basic is refused with the Bearer challenge and a JSON body.
    const viaBasic = await get(`${mcp.url}/mcp`, { ...mcpHeaders, ...basic('me', TOKEN) }, 'POST', initialize);
    expect(viaBasic.status).toBe(401);
    expect(viaBasic.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(viaBasic.body)).toMatchObject({ error: { code: 'unauthorized' } });
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
