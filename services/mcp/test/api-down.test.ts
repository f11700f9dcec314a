import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunningService } from '../../../test-support/services.js';
import { connectStdio, textOf } from './client.js';
import { startMcpHttp } from './http-server.js';
import { startStack, type Stack } from './stack.js';

let stack: Stack;
let client: Client;
let close: () => Promise<void>;
let mcp: { service: RunningService; url: string };

beforeAll(async () => {
  stack = await startStack();
  ({ client, close } = await connectStdio({ API_URL: stack.apiUrl, API_TIMEOUT_MS: '3000' }));
  mcp = await startMcpHttp({ MASTER_URL: stack.apiUrl });
});
afterAll(async () => {
  await close?.();
  await mcp?.service.stop();
  await stack?.stop();
});

const calls: [string, Record<string, unknown>][] = [
  ['get_report', { project: 'demo' }],
  ['get_summary', {}],
  ['get_trend', { project: 'demo' }],
  ['get_failures', {}],
  ['get_workers', {}],
  ['get_failure_stats', {}],
  ['get_test_history', { project: 'demo', nodeid: 'tests/test_api.py::test_case_0' }],
  ['get_flaky_tests', { project: 'demo' }],
  ['get_failure_groups', { project: 'demo' }],
  ['get_slowest_tests', { project: 'demo' }],
  ['get_new_failures', { project: 'demo' }],
  ['get_build', { project: 'acme/shop', build_id: '4242-1' }],
  ['get_quarantine', { project: 'demo', history: true }],
];

test('with the API stopped every tool is an error naming API_URL (pages say only that they cannot answer); the server answers again once the API is back', async () => {
  await stack.stopApi();
  for (const [name, args] of calls) {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError, name).toBe(true);
    expect(textOf(result), name).toContain(`API_URL=${stack.apiUrl}`);
  }
  const report = await fetch(`${mcp.url}/reports/demo.html`);
  expect(report.status).toBe(502);
  // A reader's browser learns nothing about what stands behind this service; the log has the cause.
  expect(await report.text()).toBe('The report cannot be made right now; try again later.');
  const runId = stack.runs.demo!.at(-1)!.run_id;
  for (const path of ['/', `/runs/${runId}`, '/projects/demo', `/tests?project=demo&nodeid=${encodeURIComponent('tests/test_api.py::test_case_0')}`, '/workers', '/flaky?project=demo']) {
    const page = await fetch(`${mcp.url}${path}`);
    expect(page.status, path).toBe(502);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html, path).toContain('<title>Results unavailable (502) — pytest-platform</title>');
    expect(html, path).toContain('The results cannot be read right now.');
    expect(html, path).not.toContain(stack.apiUrl);
    expect(html, path).not.toMatch(/API_URL|ECONNREFUSED|127\.0\.0\.1/);
  }
  expect((await client.listTools()).tools).toHaveLength(14);

  await stack.startApi();
  for (const [name, args] of calls) {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError ?? false, `${name}: ${textOf(result)}`).toBe(false);
  }
  expect((await fetch(`${mcp.url}/reports/demo.html`)).status).toBe(200);
  expect((await fetch(`${mcp.url}/runs/${runId}`)).status).toBe(200);
});
