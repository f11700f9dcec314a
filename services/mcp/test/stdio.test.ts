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
  test('lists every tool with input and output schemas and read-only annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'compare_runs', 'get_build', 'get_failure_groups', 'get_failure_stats', 'get_failures', 'get_flaky_tests', 'get_new_failures', 'get_quarantine', 'get_report',
      'get_slowest_tests', 'get_summary', 'get_test_history', 'get_trend', 'get_workers',
    ]);
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

  test('get_failures: a page at a time with limit and cursor, and the total', async () => {
    const runId = stack.runs.demo!.at(-1)!.run_id;
    type Page = { run_id: string; total: number; next_cursor: string | null; failures: { nodeid: string }[] };
    const whole = (await call('get_failures', { run_id: runId })).structuredContent as Page;
    expect(whole).toMatchObject({ total: 2, next_cursor: null });
    const first = (await call('get_failures', { run_id: runId, limit: 1 })).structuredContent as Page;
    expect(first).toMatchObject({ run_id: runId, total: 2, next_cursor: expect.any(String) });
    expect(first.failures).toHaveLength(1);
    const second = (await call('get_failures', { run_id: runId, limit: 1, cursor: first.next_cursor })).structuredContent as Page;
    expect(second).toMatchObject({ run_id: runId, total: 2, next_cursor: null });
    expect([...first.failures, ...second.failures]).toEqual(whole.failures);

    const stray = await call('get_failures', { run_id: runId, cursor: 'not-a-cursor' });
    expect(stray.isError).toBe(true);
    expect(textOf(stray)).toContain('call get_failures without cursor');
    for (const args of [{ cursor: first.next_cursor }, { run_id: runId, limit: 101 }, { run_id: runId, limit: 0 }]) {
      const error = await client.callTool({ name: 'get_failures', arguments: args }).catch((e: unknown) => e);
      expect((error as McpError).code, JSON.stringify(args)).toBe(ErrorCode.InvalidParams);
    }
  });

  test('get_workers: every worker with status and recent pass rate, a page at a time', async () => {
    const result = await call('get_workers');
    type Page = { workers: { worker_id: string }[]; counts: Record<string, number>; next_cursor: string | null };
    const data = result.structuredContent as Page;
    expect(data.workers.map((w) => w.worker_id).sort()).toEqual(['ci-runner-01', 'ci-runner-02', 'ci-runner-03', 'laptop-<b>eve</b>']);
    expect(Object.values(data.counts).reduce((a, b) => a + b, 0)).toBe(4);
    expect(data.next_cursor).toBeNull();
    const first = (await call('get_workers', { limit: 3 })).structuredContent as Page;
    expect(Object.values(first.counts).reduce((a, b) => a + b, 0)).toBe(3);
    const rest = (await call('get_workers', { limit: 3, cursor: first.next_cursor })).structuredContent as Page;
    expect(rest.next_cursor).toBeNull();
    expect([...first.workers, ...rest.workers]).toEqual(data.workers);
  });

  test('get_failure_stats: most frequently failing tests first', async () => {
    const result = await call('get_failure_stats', { project: 'demo', days: 7, limit: 5 });
    const data = result.structuredContent as { tests: { nodeid: string; failures: number }[] };
    expect(data.tests.length).toBeGreaterThan(0);
    expect(data.tests[0]?.nodeid).toBe('tests/test_api.py::test_case_0');
    const counts = data.tests.map((t) => t.failures);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    const tagged = await call('get_failure_stats', { project: 'demo', days: 7, tag: 'slow' });
    expect((tagged.structuredContent as { tests: { nodeid: string }[] }).tests.map((t) => t.nodeid)).toEqual(['tests/test_api.py::test_case_1']);
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

  test('get_test_history: the newest results of one test first', async () => {
    const result = await call('get_test_history', { project: 'demo', nodeid: 'tests/test_api.py::test_case_0', limit: 3 });
    const data = result.structuredContent as { items: { run_id: string; outcome: string; worker_id: string }[] };
    const demo = stack.runs.demo!;
    expect(data.items.map((i) => [i.run_id, i.outcome])).toEqual([
      [demo[9]!.run_id, 'passed'], [demo[8]!.run_id, 'failed'], [demo[7]!.run_id, 'failed'],
    ]);
    const unknown = await call('get_test_history', { project: 'demo', nodeid: 'tests/nope.py::test_x' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('tests/nope.py::test_x');
  });

  test('get_flaky_tests: tests that pass and fail on one commit and flip, with evidence', async () => {
    const result = await call('get_flaky_tests', { project: 'demo', branch: 'main' });
    const data = result.structuredContent as { window: number; items: { nodeid: string; kinds: string[]; evidence: { same_commit: string[] } }[] };
    expect(data.window).toBe(10);
    const case0 = data.items.find((t) => t.nodeid === 'tests/test_api.py::test_case_0');
    expect(case0?.kinds).toEqual(['same_commit', 'flip']);
    expect(case0?.evidence.same_commit.length).toBeGreaterThan(1);
    expect(data.items.map((t) => t.nodeid)).not.toContain('tests/test_skip.py::test_later');
    const tagged = await call('get_flaky_tests', { project: 'demo', branch: 'main', tag: 'owner=payments' });
    expect((tagged.structuredContent as { items: { nodeid: string }[] }).items.map((t) => t.nodeid)).toEqual(['tests/test_api.py::test_case_1']);
  });

  test('get_failure_groups: one group per normalized message', async () => {
    const result = await call('get_failure_groups', { project: 'demo', days: 30 });
    const data = result.structuredContent as { items: { normalized: string; failures: number; tests: number }[] };
    expect(data.items[0]).toMatchObject({ normalized: 'AssertionError: assert <n> == <n>', failures: 16, tests: 4 });
    expect(data.items.map((g) => g.normalized)).toContain('ConnectionError: refused');
  });

  test('compare_runs: fixed, added and removed tests between two runs', async () => {
    const demo = stack.runs.demo!;
    const result = await call('compare_runs', { base: demo[8]!.run_id, head: demo[9]!.run_id });
    const data = result.structuredContent as Record<string, { count: number; items: { nodeid: string }[] }>;
    expect(data.fixed?.items.map((i) => i.nodeid)).toEqual(['tests/test_api.py::test_case_0']);
    expect(data.added?.items.map((i) => i.nodeid)).toEqual(['tests/test_db.py::test_connect', XSS_NODEID]);
    expect(data.removed?.count).toBe(10);
    const unknown = await call('compare_runs', { base: demo[8]!.run_id, head: 'no-such-run' });
    expect(unknown.isError).toBe(true);
  });

  test('get_slowest_tests: slowest median first', async () => {
    const result = await call('get_slowest_tests', { project: 'demo', limit: 3 });
    const data = result.structuredContent as { items: { nodeid: string; median_duration: number }[] };
    expect(data.items.map((t) => t.nodeid)).toEqual(['tests/test_db.py::test_connect', XSS_NODEID, 'tests/test_api.py::test_case_9']);
    const tagged = await call('get_slowest_tests', { project: 'demo', tag: 'slow' });
    expect((tagged.structuredContent as { items: { nodeid: string }[] }).items.map((t) => t.nodeid)).toEqual(['tests/test_api.py::test_case_1']);
  });

  test('get_new_failures: the new failures of the latest run', async () => {
    const result = await call('get_new_failures', { project: 'demo' });
    const data = result.structuredContent as { run_id: string; counts: Record<string, number>; failures: { nodeid: string; classification: string }[] };
    expect(data.run_id).toBe(stack.runs.demo?.at(-1)?.run_id);
    expect(data.counts).toEqual({ new: 2, recurring: 0, flaky: 0 });
    expect(data).toMatchObject({ total: 2, classified: 2 });
    // In test id order: the order the project first stored each test, which the SQLite and Postgres writers assign differently within a run.
    expect(data.failures.map((f) => f.nodeid).sort()).toEqual(['tests/test_db.py::test_connect', XSS_NODEID]);
  });

  test('get_build: the runs of one CI build summed, the worst status, first start to last finish, and each run', async () => {
    const [shard1, shard2] = stack.runs['acme/shop']!;
    const result = await call('get_build', { project: 'acme/shop', build_id: '4242-1' });
    expect(result.isError ?? false).toBe(false);
    const { runs, ...build } = result.structuredContent as { runs: { run_id: string; shard: string | null; status: string; duration: number | null }[] };
    expect(build).toEqual({
      build_id: '4242-1', project: 'acme/shop', branch: 'release/1.x', commit: 'f00d', status: 'failed', run_count: 2,
      started_at: shard1!.started_at, finished_at: shard2!.finished_at, duration: 65,
      summary: { total: 5, passed: 4, failed: 1, skipped: 0, errors: 0, xfailed: 0, xpassed: 0, flaky: 0 },
      pass_rate: 0.8, shards: ['1/2', '2/2'],
    });
    expect(runs.map((r) => [r.run_id, r.shard, r.status, r.duration])).toEqual([[shard1!.run_id, '1/2', 'passed', 40], [shard2!.run_id, '2/2', 'failed', 60]]);
    expect(textOf(result).split('\n').slice(0, 2)).toEqual([
      'Build 4242-1 of acme/shop (release/1.x @ f00d): failed, 2 runs, shards 1/2, 2/2.',
      '5 tests: 4 passed, 1 failed, 0 errors, 0 skipped; pass rate 80.0 %; 65.0 s.',
    ]);

    const unknown = await call('get_build', { project: 'acme/shop', build_id: 'nope' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/^Unknown build "nope" in project "acme\/shop"\. Most recent builds: 4242-1 \(release\/1\.x, /);
    const otherProject = await call('get_build', { project: 'demo', build_id: '4242-1' });
    expect(textOf(otherProject)).toContain('No run of this project carries a build id yet.');
    const project = await call('get_build', { project: 'nope', build_id: '4242-1' });
    expect(textOf(project)).toContain('Known projects');
    const missing = await client.callTool({ name: 'get_build', arguments: { project: 'acme/shop' } }).catch((e: unknown) => e);
    expect((missing as McpError).code).toBe(ErrorCode.InvalidParams);
  });

  test('get_quarantine: the quarantined tests with who, when and why, and with history: true every change', async () => {
    const nodeid = 'tests/test_api.py::test_case_3';
    const reason = 'times out on CI, <b>TICKET-7</b>';
    const quarantine = (method: string, body?: unknown) =>
      fetch(`${stack.apiUrl}/quarantine${body ? '' : `?project=demo&nodeid=${encodeURIComponent(nodeid)}`}`, {
        method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await quarantine('PUT', { project: 'demo', nodeid, reason })).status).toBe(200);
    const result = await call('get_quarantine', { project: 'demo' });
    expect(result.structuredContent).toEqual({ project: 'demo', items: [{ nodeid, reason, since: expect.any(String), expires_at: null, by: 'api' }] });
    expect(textOf(result)).toContain(`1 test of demo quarantined`);
    expect(textOf(result)).toContain(`- ${nodeid}: ${reason} (by api since `);

    expect((await quarantine('DELETE')).status).toBe(200);
    const history = await call('get_quarantine', { project: 'demo', nodeid, history: true });
    const data = history.structuredContent as { items: unknown[]; history: { action: string; by: string; reason: string }[] };
    expect(data.items).toEqual([]);
    expect(data.history.map((h) => [h.action, h.by, h.reason])).toEqual([['released', 'api', 'released through the API'], ['quarantined', 'api', reason]]);
    expect(textOf(history)).toContain('No test of demo is quarantined.');
    const missing = await client.callTool({ name: 'get_quarantine', arguments: { history: true } }).catch((e: unknown) => e);
    expect((missing as McpError).code).toBe(ErrorCode.InvalidParams);
  });

  test('an unknown project or run is a tool error that says what exists', async () => {
    const project = await call('get_report', { project: 'nope' });
    expect(project.isError).toBe(true);
    expect(textOf(project)).toMatch(/Unknown project "nope".*"demo".*"other"/);
    for (const name of ['get_summary', 'get_trend', 'get_failures', 'get_failure_stats', 'get_flaky_tests', 'get_failure_groups', 'get_slowest_tests', 'get_new_failures']) {
      const result = await call(name, { project: 'nope' });
      expect(result.isError, name).toBe(true);
      expect(textOf(result), name).toContain('Known projects');
    }
    const run = await call('get_failures', { run_id: 'no-such-run' });
    expect(run.isError).toBe(true);
    expect(textOf(run)).toContain('Unknown run "no-such-run"');
    expect(textOf(run)).toContain(stack.runs.demo?.at(-1)?.run_id);
  });

  test('bad arguments and unknown tools are a protocol error (InvalidParams)', async () => {
    const error = await client.callTool({ name: 'get_summary', arguments: { limit: 'ten' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    const missing = await client.callTool({ name: 'get_trend', arguments: {} }).catch((e: unknown) => e);
    expect((missing as McpError).code).toBe(ErrorCode.InvalidParams);
    const unknown = await client.callTool({ name: 'get_everything', arguments: {} }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining('Tool get_everything not found') });
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
