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
  const link = await fetch(`${mcp.url}/runs/${runId}`, { redirect: 'manual' });
  expect(link.status).toBe(502);
  expect(await link.text()).toBe('The results are not available right now; try again later.');
  expect((await client.listTools()).tools).toHaveLength(13);

  await stack.startApi();
  for (const [name, args] of calls) {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError ?? false, `${name}: ${textOf(result)}`).toBe(false);
  }
  expect((await fetch(`${mcp.url}/reports/demo.html`)).status).toBe(200);
  expect((await fetch(`${mcp.url}/runs/${runId}`, { redirect: 'manual' })).headers.get('location')).toBe('/reports/demo.html?branch=main');
});
