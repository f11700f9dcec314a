import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun, randomStream } from '../test-support/runs.js';
import { REDIS_URL, freePort, startService, type RunningService } from '../test-support/services.js';
import { waitFor } from '../test-support/wait-for.js';

// Issue 15, acceptance 4: a valid run whose 100,000 tests all failed (an import error breaks every
// test), stored through real ingest, costs a read no more than a small one.

const FAILURES = 100_000;
const RESPONSE_BUDGET = 200 * 1024;
const RSS_BUDGET = 300 * 1024 * 1024;
const CONCURRENT = 10;

const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-large-'));
const stream = randomStream('e2e-large');
const redis = new Redis(REDIS_URL);
const services: Partial<Record<'ingest' | 'api' | 'mcp', RunningService>> = {};
let api = '';
let mcp = '';

const run = makeRun({
  project: 'huge',
  started_at: new Date(Date.now() - 600_000).toISOString(),
  finished_at: new Date(Date.now() - 300_000).toISOString(),
  duration: 300,
  status: 'failed',
  tests: Array.from({ length: FAILURES }, (_, i) => ({
    nodeid: `tests/pkg_${Math.floor(i / 1_000)}/test_mod.py::test_case_${i}`,
    outcome: 'failed' as const,
    duration: 0.001,
    message: "ImportError: cannot import name 'settings' from 'app.config'",
    longrepr: `tests/pkg_${Math.floor(i / 1_000)}/conftest.py:3: in <module>\n    from app.config import settings\nE   ImportError: cannot import name 'settings' from 'app.config' (app/config.py)`,
  })),
});

/** Peak and current resident memory of a process, from /proc/<pid>/status, in bytes. */
function memory(service: RunningService): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${service.proc.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kb('VmHWM'), rss: kb('VmRSS') };
}
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function getText(url: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const response = await fetch(url, init);
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  const [apiPort, mcpPort] = [await freePort(), await freePort()];
  api = `http://127.0.0.1:${apiPort}`;
  mcp = `http://127.0.0.1:${mcpPort}`;
  const common = { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: join(dir, 'large.sqlite'), INGEST_BLOCK_MS: '200' };
  services.ingest = await startService('ingest', common);
  services.api = await startService('api', { ...common, API_PORT: String(apiPort) });
  services.mcp = await startService('mcp', { API_URL: api, MCP_PORT: String(mcpPort) });
  await redis.xadd(stream, '*', 'type', 'run', 'data', JSON.stringify(run));
  await waitFor('the 100,000-failure run to be stored', async () => {
    const response = await fetch(`${api}/results/${run.run_id}?failures_limit=0`).catch(() => null);
    if (response?.status !== 200) return false;
    return ((await response.json()) as { failures_total: number }).failures_total === FAILURES;
  }, 240_000, 250);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(Object.values(services).map((service) => service.stop()));
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('a run with 100,000 failures', () => {
  it(`GET /results/{id} answers its first page of failures within ${RESPONSE_BUDGET / 1024} KB, with the total and a cursor`, async () => {
    const { status, text } = await getText(`${api}/results/${run.run_id}`);
    expect(status).toBe(200);
    console.log(`GET /results/{id} of a ${FAILURES}-failure run: ${Buffer.byteLength(text)} bytes`);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(RESPONSE_BUDGET);
    const detail = JSON.parse(text) as { failures: unknown[]; failures_total: number; failures_next_cursor: string | null; summary: { failed: number } };
    expect(detail.failures).toHaveLength(100);
    expect(detail.failures_total).toBe(FAILURES);
    expect(detail.failures_next_cursor).toEqual(expect.any(String));
    expect(detail.summary.failed).toBe(FAILURES);
  });

  it(`${CONCURRENT} concurrent reads of it and of its run page, with an MCP batch of ${CONCURRENT} get_failures, leave the API and MCP below ${mb(RSS_BUDGET)}`, async () => {
    const before = { api: memory(services.api!), mcp: memory(services.mcp!) };
    const batch = Array.from({ length: CONCURRENT }, (_, i) => ({
      jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name: 'get_failures', arguments: { run_id: run.run_id } },
    }));
    const reads = await Promise.all([
      ...Array.from({ length: CONCURRENT }, () => getText(`${api}/results/${run.run_id}`)),
      ...Array.from({ length: CONCURRENT }, () => getText(`${mcp}/runs/${run.run_id}`)),
      getText(`${mcp}/mcp`, { method: 'POST', headers: mcpHeaders, body: JSON.stringify(batch) }),
    ]);
    expect(reads.map((r) => r.status)).toEqual(reads.map(() => 200));
    for (const read of reads.slice(0, CONCURRENT)) expect(Buffer.byteLength(read.text)).toBeLessThanOrEqual(RESPONSE_BUDGET);
    // The run page shows page 1 of the failures, 50 of them, and a link to the next page.
    const runPage = reads[CONCURRENT]!.text;
    expect(runPage).toContain(`failures 1–50 of ${FAILURES}`);
    expect(runPage.match(/<article class="failure-item/g)).toHaveLength(50);
    expect(runPage).toMatch(/>next page</);
    const replies = JSON.parse(reads.at(-1)!.text) as { result: { isError?: boolean; structuredContent: { total: number; failures: unknown[] } } }[];
    expect(replies).toHaveLength(CONCURRENT);
    for (const reply of replies) {
      expect(reply.result.isError ?? false).toBe(false);
      expect(reply.result.structuredContent.total).toBe(FAILURES);
      expect(reply.result.structuredContent.failures).toHaveLength(50);
    }

    const after = { api: memory(services.api!), mcp: memory(services.mcp!) };
    console.log(
      `resident memory before → after ${CONCURRENT} × GET /results/{id}, ${CONCURRENT} × GET /runs/{id} and a batch of ${CONCURRENT} get_failures: `
      + `API ${mb(before.api.rss)} → ${mb(after.api.rss)} (peak since start ${mb(after.api.peak)}), MCP ${mb(before.mcp.rss)} → ${mb(after.mcp.rss)} (peak ${mb(after.mcp.peak)})`,
    );
    expect(after.api.peak).toBeLessThan(RSS_BUDGET);
    expect(after.mcp.peak).toBeLessThan(RSS_BUDGET);
  });

  it('get_report stays within its 1 MiB budget: the counts, the first page of failures, how many more', async () => {
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_report', arguments: { project: 'huge' } } };
    const { status, text } = await getText(`${mcp}/mcp`, { method: 'POST', headers: mcpHeaders, body: JSON.stringify(call) });
    expect(status).toBe(200);
    const report = JSON.parse(text) as { result: { isError?: boolean; content: { text: string }[]; structuredContent: { bytes: number } } };
    expect(report.result.isError ?? false).toBe(false);
    const html = report.result.content[0]!.text;
    console.log(`get_report of the ${FAILURES}-failure project: ${report.result.structuredContent.bytes} bytes`);
    expect(report.result.structuredContent.bytes).toBeLessThanOrEqual(1_048_576);
    expect(html).toContain(`Failures in the latest run <small>${FAILURES}</small>`);
    expect(html.match(/<details class="failure">/g)).toHaveLength(50);
    expect(html).toContain(`and ${FAILURES - 50} more failures`);
  });

  it('has every failure reachable by following the cursor: 100,000, none twice', async () => {
    const seen = new Set<string>();
    let count = 0;
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? 'limit=1000' : `limit=1000&cursor=${encodeURIComponent(cursor)}`;
      const response = await fetch(`${api}/results/${run.run_id}/failures?${query}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { items: { nodeid: string }[]; next_cursor: string | null; total: number };
      expect(page.total).toBe(FAILURES);
      for (const item of page.items) seen.add(item.nodeid);
      count += page.items.length;
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages <= FAILURES / 1_000);
    expect(pages).toBe(FAILURES / 1_000);
    expect(count).toBe(FAILURES);
    expect(seen.size).toBe(FAILURES);
    console.log(`API resident memory after following ${pages} pages: ${mb(memory(services.api!).rss)}`);
  });
});
