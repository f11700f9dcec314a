import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_BATCH_MESSAGES, MAX_BODY_BYTES } from '../src/http/mcp-route.js';
import { makeRun } from '../../../test-support/runs.js';
import type { RunningService } from '../../../test-support/services.js';
import { startMcpHttp } from './http-server.js';
import { startStack, type Stack } from './stack.js';

const FAILURES = 250;
const big = makeRun({
  project: 'big',
  started_at: new Date(Date.now() - 3_600_000).toISOString(),
  finished_at: new Date(Date.now() - 3_000_000).toISOString(),
  tests: [
    { nodeid: 'tests/test_ok.py::test_ok', outcome: 'passed' },
    ...Array.from({ length: FAILURES }, (_, i) => ({
      nodeid: `tests/test_import.py::test_${String(i).padStart(3, '0')}`, outcome: 'failed' as const,
      message: `ImportError: cannot import name 'x${i}'`, longrepr: `E   ImportError: cannot import name 'x${i}'`,
    })),
  ],
});

let stack: Stack;
let mcp: { service: RunningService; url: string; port: number };
beforeAll(async () => {
  stack = await startStack({ runs: { big: [big] } });
  mcp = await startMcpHttp({ API_URL: stack.apiUrl });
});
afterAll(async () => {
  await mcp?.service.stop();
  await stack?.stop();
});

interface Answer { status: number; body: string }

/** One POST /mcp with a raw body; `declaredLength` overrides the Content-Length header. */
function post(body: string | Buffer, declaredLength?: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (declaredLength !== undefined) headers['content-length'] = declaredLength;
    let answered = false;
    const req = request(`${mcp.url}/mcp`, { method: 'POST', headers }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may close the connection before the whole body is written: the answer still arrived.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    req.end(body);
  });
}

const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('the MCP HTTP server bounds what one request holds', () => {
  test(`answers a batch of ${MAX_BATCH_MESSAGES} get_failures calls, each one page with the total`, async () => {
    const batch = Array.from({ length: MAX_BATCH_MESSAGES }, (_, i) => call(i + 1, 'get_failures', { run_id: big.run_id, limit: 5 }));
    const answer = await post(JSON.stringify(batch));
    expect(answer.status).toBe(200);
    const replies = JSON.parse(answer.body) as { id: number; result: { isError?: boolean; structuredContent: { total: number; failures: unknown[]; next_cursor: string | null } } }[];
    expect(replies.map((r) => r.id).sort((a, b) => a - b)).toEqual(batch.map((m) => m.id));
    for (const reply of replies) {
      expect(reply.result.isError ?? false).toBe(false);
      expect(reply.result.structuredContent).toMatchObject({ total: FAILURES, next_cursor: expect.any(String) });
      expect(reply.result.structuredContent.failures).toHaveLength(5);
    }
  });

  test(`refuses a batch of ${MAX_BATCH_MESSAGES + 1} with a JSON-RPC error and keeps serving`, async () => {
    const batch = Array.from({ length: MAX_BATCH_MESSAGES + 1 }, (_, i) => call(i + 1, 'get_failures', { run_id: big.run_id }));
    const answer = await post(JSON.stringify(batch));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining(`at most ${MAX_BATCH_MESSAGES} messages`) },
    });
    const after = await post(JSON.stringify(call(1, 'get_failures', { run_id: big.run_id, limit: 1 })));
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body)).toMatchObject({ id: 1, result: { structuredContent: { total: FAILURES } } });
  });

  test(`refuses a body over ${MAX_BODY_BYTES} bytes, sent or declared, with a JSON-RPC error`, async () => {
    const padded = JSON.stringify({ ...call(1, 'get_summary', {}), pad: 'x'.repeat(MAX_BODY_BYTES) });
    for (const answer of [await post(padded), await post('{}', MAX_BODY_BYTES + 1)]) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining(String(MAX_BODY_BYTES)) } });
    }
    const notJson = await post('{"jsonrpc": "2.0", ');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ error: { code: -32700 } });
  });

  test('get_report shows the first page of failures and says how many more', async () => {
    const answer = await post(JSON.stringify(call(1, 'get_report', { project: 'big' })));
    const reply = JSON.parse(answer.body) as { result: { content: { text: string }[]; structuredContent: { bytes: number } } };
    const html = reply.result.content[0]!.text;
    expect(html).toContain(`Failures in the latest run <small>${FAILURES}</small>`);
    expect(html).toContain(`and ${FAILURES - 50} more failures`);
    expect(html.match(/<details class="failure">/g)).toHaveLength(50);
    expect(html).toContain(`among its first 50 of ${FAILURES} failures`);
  });
});
