import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/index.js';
import { freePort, startService, type RunningService } from '../../../test-support/services.js';
import { startMcpHttp } from './http-server.js';
import { startStack, type Stack } from './stack.js';

const TOKEN = 'full-token-0123456789abcdef';
const READ_TOKEN = 'read-token-0123456789abcdef';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ token: TOKEN });
  // The same API again, now also accepting the read-only token.
  await stack.stopApi();
  stack.apiEnv.API_READ_TOKEN = READ_TOKEN;
  await stack.startApi();
}, 120_000);
afterAll(() => stack?.stop());

async function callSummary(url: string, token: string): Promise<number> {
  const client = new Client({ name: 'security-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    const result = await client.callTool({ name: 'get_summary', arguments: { project: 'demo', limit: 3 } });
    expect(result.isError ?? false).toBe(false);
    return (result.structuredContent as { runs: unknown[] }).runs.length;
  } finally {
    await client.close();
  }
}

describe('API_READ_TOKEN on the MCP HTTP server', () => {
  test('an MCP service holding only the read token reads the API, and its clients call tools and reports with it', async () => {
    const mcp = await startMcpHttp({ API_URL: stack.apiUrl, API_READ_TOKEN: READ_TOKEN });
    try {
      expect(await callSummary(mcp.url, READ_TOKEN)).toBe(3);
      const report = await fetch(`${mcp.url}/reports/demo.html`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
      expect(report.status).toBe(200);
      const refused = await fetch(`${mcp.url}/reports/demo.html`, { headers: { authorization: `Bearer ${TOKEN}` } });
      // A page: the refusal is a page too, with the challenge a browser answers by asking to sign in.
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(await refused.text()).toContain('token as the password');
      // The read token the MCP service sends cannot write through the API.
      const post = await fetch(`${stack.apiUrl}/results`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${READ_TOKEN}` }, body: '{}' });
      expect(post.status).toBe(403);
      expect(mcp.service.output()).not.toContain(READ_TOKEN);
    } finally {
      await mcp.service.stop();
    }
  });

  test('with both tokens set, either one is accepted and nothing else', async () => {
    const mcp = await startMcpHttp({ API_URL: stack.apiUrl, API_TOKEN: TOKEN, API_READ_TOKEN: READ_TOKEN });
    try {
      expect(await callSummary(mcp.url, TOKEN)).toBe(3);
      expect(await callSummary(mcp.url, READ_TOKEN)).toBe(3);
      for (const token of [`${READ_TOKEN}x`, READ_TOKEN.slice(0, -1), '']) {
        const res = await fetch(`${mcp.url}/reports/demo.html`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(401);
      }
      expect(mcp.service.output()).not.toContain(TOKEN);
    } finally {
      await mcp.service.stop();
    }
  });
});

describe('binding', () => {
  test('by default the MCP HTTP server listens on 127.0.0.1 only', async () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    const port = await freePort();
    const service: RunningService = await startService('mcp', { MCP_PORT: String(port), API_URL: stack.apiUrl });
    try {
      expect(service.output()).toContain(`"url":"http://127.0.0.1:${port}/mcp"`);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      const external = Object.values(networkInterfaces()).flat().find((address) => address && !address.internal && address.family === 'IPv4');
      if (external) {
        const refused = await new Promise<string>((resolve) => {
          const socket = connect(port, external.address);
          socket.once('connect', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        });
        expect(refused).toBe('ECONNREFUSED');
      }
    } finally {
      await service.stop();
    }
  });
});
