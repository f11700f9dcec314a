import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectStdio, textOf } from './client.js';
import { XSS_NODEID, startStack, type Stack } from './stack.js';

let stack: Stack;
let client: Client;
let close: () => Promise<void>;
let stderr: () => string;
const ajv = new AjvJsonSchemaValidator();

beforeAll(async () => {
  stack = await startStack();
  ({ client, close, stderr } = await connectStdio({ API_URL: stack.apiUrl }));
});
afterAll(async () => {
  await close?.();
  await stack?.stop();
});

const schemas = new Map<string, object>();

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (!result.isError) {
    const validate = ajv.getValidator(schemas.get(name) as never);
    const check = validate(result.structuredContent);
    expect(check.errorMessage, `${name} structuredContent`).toBeUndefined();
    expect(check.valid).toBe(true);
  }
  return result;
}

describe('MCP over stdio against a seeded stack', () => {
  test('lists the six tools with input and output schemas and read-only annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['get_failure_stats', 'get_failures', 'get_report', 'get_summary', 'get_trend', 'get_workers']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
      expect(tool.description?.length).toBeGreaterThan(20);
      schemas.set(tool.name, tool.outputSchema as object);
    }
    expect(tools.find((t) => t.name === 'get_report')?._meta).toMatchObject({ ui: { resourceUri: 'ui://pytest-platform/report.html' } });
  });

  test('get_summary: the last N runs, newest first, text equal to the structured JSON', async () => {
    const result = await call('get_summary', { project: 'demo', limit: 3 });
    const data = result.structuredContent as { runs: { worker_id: string; pass_rate: number | null; failed: number; duration: number | null }[] };
    expect(data.runs).toHaveLength(3);
    expect(data.runs[0]).toMatchObject({ worker_id: 'laptop-<b>eve</b>', failed: 1, duration: 65 });
    expect(data.runs[0]?.pass_rate).toBeCloseTo(1 / 3);
    expect(JSON.parse(textOf(result))).toEqual(data);
    const all = await call('get_summary', {});
    expect((all.structuredContent as { runs: { project: string }[] }).runs.map((r) => r.project)).toContain('other');
  });

  test('get_trend: points oldest first and a direction', async () => {
    const result = await call('get_trend', { project: 'demo', limit: 10 });
    const data = result.structuredContent as { points: { started_at: string }[]; direction: string; delta: number };
    expect(data.points).toHaveLength(10);
    const times = data.points.map((p) => Date.parse(p.started_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(data.direction).toBe('declining');
    expect(data.delta).toBeLessThan(-0.02);
  });

  test('get_failures: the latest run by default, with messages and tracebacks', async () => {
    const result = await call('get_failures', { project: 'demo' });
    const data = result.structuredContent as { run_id: string; failures: { nodeid: string; outcome: string; longrepr: string | null }[] };
    expect(data.run_id).toBe(stack.runs.demo?.at(-1)?.run_id);
    expect(data.failures.map((f) => f.outcome).sort()).toEqual(['error', 'failed']);
    expect(data.failures.find((f) => f.nodeid === XSS_NODEID)?.longrepr).toContain('Traceback');
    const byId = await call('get_failures', { run_id: stack.runs.demo?.[1]?.run_id });
    expect((byId.structuredContent as { failures: unknown[] }).failures).toHaveLength(1);
  });

  test('get_workers: every worker with status and recent pass rate', async () => {
    const result = await call('get_workers');
    const data = result.structuredContent as { workers: { worker_id: string }[]; counts: Record<string, number> };
    expect(data.workers.map((w) => w.worker_id).sort()).toEqual(['ci-runner-01', 'ci-runner-02', 'ci-runner-03', 'laptop-<b>eve</b>']);
    expect(Object.values(data.counts).reduce((a, b) => a + b, 0)).toBe(4);
  });

  test('get_failure_stats: most frequently failing tests first', async () => {
    const result = await call('get_failure_stats', { project: 'demo', days: 7, limit: 5 });
    const data = result.structuredContent as { tests: { nodeid: string; failures: number }[] };
    expect(data.tests.length).toBeGreaterThan(0);
    expect(data.tests[0]?.nodeid).toBe('tests/test_api.py::test_case_0');
    const counts = data.tests.map((t) => t.failures);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  });

  test('get_report: the complete HTML as text, size and sections as structured content', async () => {
    const result = await call('get_report', { project: 'demo', runs: 30 });
    const html = textOf(result);
    const data = result.structuredContent as { bytes: number; sections: string[]; runs: number };
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(data.bytes).toBe(Buffer.byteLength(html));
    expect(data.runs).toBe(10);
    expect(data.sections).toContain('trend');
  });

  test('an unknown project or run is a tool error that says what exists', async () => {
    const project = await call('get_report', { project: 'nope' });
    expect(project.isError).toBe(true);
    expect(textOf(project)).toMatch(/Unknown project "nope".*"demo".*"other"/);
    for (const name of ['get_summary', 'get_trend', 'get_failures', 'get_failure_stats']) {
      const result = await call(name, { project: 'nope' });
      expect(result.isError, name).toBe(true);
      expect(textOf(result), name).toContain('Known projects');
    }
    const run = await call('get_failures', { run_id: 'no-such-run' });
    expect(run.isError).toBe(true);
    expect(textOf(run)).toContain('Unknown run "no-such-run"');
    expect(textOf(run)).toContain(stack.runs.demo?.at(-1)?.run_id);
  });

  test('bad arguments are a protocol error (InvalidParams)', async () => {
    const error = await client.callTool({ name: 'get_summary', arguments: { limit: 'ten' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    const missing = await client.callTool({ name: 'get_trend', arguments: {} }).catch((e: unknown) => e);
    expect((missing as McpError).code).toBe(ErrorCode.InvalidParams);
  });

  test('resources: report://{project} and the MCP Apps view; prompts', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('report://{project}');
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['report://demo', 'report://other', 'ui://pytest-platform/report.html']));
    const report = await client.readResource({ uri: 'report://demo' });
    expect(report.contents[0]).toMatchObject({ mimeType: 'text/html' });
    expect(String((report.contents[0] as { text: string }).text)).toMatch(/^<!doctype html>/);
    const view = await client.readResource({ uri: 'ui://pytest-platform/report.html' });
    expect(view.contents[0]?.mimeType).toBe('text/html;profile=mcp-app');
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['triage_latest_failures', 'weekly_quality_summary']);
    const triage = await client.getPrompt({ name: 'triage_latest_failures', arguments: { project: 'demo' } });
    expect(JSON.stringify(triage.messages)).toContain('get_failures');
  });

  test('logs go to stderr only (stdout stayed valid JSON-RPC)', () => {
    expect(stderr()).toContain('"msg":"ready"');
  });
});
