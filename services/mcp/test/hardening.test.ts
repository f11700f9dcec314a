import { createServer, type Server, type Socket } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../../../test-support/services.js';
import { connectStdio, textOf } from './client.js';
import { startMcpHttp } from './http-server.js';
import { startStack, type Stack } from './stack.js';

let stack: Stack;
let mcp: { service: RunningService; url: string };
let stdio: { client: Client; close: () => Promise<void> };

beforeAll(async () => {
  stack = await startStack();
  [mcp, stdio] = await Promise.all([startMcpHttp({ API_URL: stack.apiUrl }), connectStdio({ API_URL: stack.apiUrl })]);
});
afterAll(async () => {
  await stdio?.close();
  await mcp?.service.stop();
  await stack?.stop();
});

describe('malformed addresses get a 4xx with a plain message', () => {
  test('a malformed % escape in a report address or its query is a 400 naming no one behind the service', async () => {
    for (const path of ['/reports/%.html', '/reports/%E0%A4%A.html', '/reports/demo.html?branch=%E0%A4%A']) {
      const res = await fetch(`${mcp.url}${path}`);
      expect(res.status, path).toBe(400);
      const text = await res.text();
      expect(text, path).toMatch(/malformed % escape/);
      expect(text, path).not.toContain(stack.apiUrl);
    }
  });

  test('a report whose branch is too long is a 400 with a plain sentence, not a 502 with the API\'s own error text', async () => {
    const res = await fetch(`${mcp.url}/reports/demo.html?branch=${'b'.repeat(300)}`);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toBe('The branch in this address is longer than 255 characters.');
    expect(text).not.toMatch(/GET \/|answered|invalid_query|API_URL/);
  });

  test('the resource report://%E0%A4%A is an InvalidParams error with a plain message, not an internal error', async () => {
    const error = await stdio.client.readResource({ uri: 'report://%E0%A4%A' }).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toContain('The project in this report:// address is not valid (a malformed % escape).');
    const unknown = await stdio.client.readResource({ uri: 'report://no-such-project' }).then(() => null, (caught: unknown) => caught);
    expect((unknown as McpError).code).toBe(ErrorCode.InvalidParams);
  });
});

describe('an API that does not answer in time', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let silentUrl: string;
  let slowMcp: { service: RunningService; url: string };
  let slowStdio: { client: Client; close: () => Promise<void> };

  beforeAll(async () => {
    // Accepts connections and never answers.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    [slowMcp, slowStdio] = await Promise.all([
      startMcpHttp({ API_URL: silentUrl, API_TIMEOUT_MS: '500' }),
      connectStdio({ API_URL: silentUrl, API_TIMEOUT_MS: '500' }),
    ]);
  });
  afterAll(async () => {
    await slowStdio?.close();
    await slowMcp?.service.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test('pages and the report say only that they cannot answer (no internal URL); a tool error names API_URL for whoever configures it', async () => {
    const report = await fetch(`${slowMcp.url}/reports/demo.html`);
    expect(report.status).toBe(502);
    const body = await report.text();
    expect(body).toBe('The report cannot be made right now; try again later.');
    for (const path of ['/projects/demo', '/runs/some-run']) {
      const page = await fetch(`${slowMcp.url}${path}`);
      expect(page.status, path).toBe(502);
      const html = await page.text();
      expect(html, path).not.toContain(silentUrl);
      expect(html, path).not.toContain('API_URL');
    }
    const result = (await slowStdio.client.callTool({ name: 'get_summary', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`API_URL=${silentUrl}`);
    expect(textOf(result)).toContain('no answer within 500 ms');
  });
});
