import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createRunWriter, openDatabase } from '@pytest-platform/db';
import { RunResultSchema } from '@pytest-platform/schema';
import { freePort, startBuiltService } from './processes.js';
import { percentile, round } from './stats.js';

const RUNS = 10_000;

/** `get_report` over MCP (Streamable HTTP) for a project with 10,000 runs: latency and HTML size. */
export async function measureReportRender(redisUrl: string, say: (line: string) => void, calls = 20) {
  const dir = mkdtempSync(join(tmpdir(), 'pp-bench-report-'));
  const file = join(dir, 'report.sqlite');
  const store = await openDatabase(file);
  const writer = createRunWriter(store);
  const T0 = Date.now() - RUNS * 60_000;
  for (let i = 0; i < RUNS; i += 100) {
    const batch = [];
    for (let j = i; j < i + 100; j++) {
      const tests = Array.from({ length: 20 }, (_, k) => ({
        nodeid: `tests/test_report.py::test_${k}`,
        outcome: (j + k) % 17 === 0 ? 'failed' : 'passed',
        duration: 0.01 * (k + 1),
        message: (j + k) % 17 === 0 ? `AssertionError: value ${j} != ${k}` : null,
        longrepr: (j + k) % 17 === 0 ? 'Traceback…\nAssertionError' : null,
      }));
      batch.push({
        type: 'run' as const,
        data: RunResultSchema.parse({
          run_id: `report-${j}`, project: 'big-project', branch: 'main', worker_id: `w-${j % 25}`,
          started_at: new Date(T0 + j * 60_000).toISOString(), finished_at: new Date(T0 + j * 60_000 + 30_000).toISOString(),
          duration: 30, status: tests.some((t) => t.outcome === 'failed') ? 'failed' : 'passed', tests,
        }),
      });
    }
    await writer.write(batch, T0 + (i + 100) * 60_000);
  }
  await store.close();

  const apiPort = await freePort();
  const mcpPort = await freePort();
  const env = { REDIS_URL: redisUrl, RESULTS_STREAM: 'bench:report', DATABASE_URL: file };
  const api = await startBuiltService('api', { ...env, API_PORT: String(apiPort), LOG_LEVEL: 'info' });
  const mcp = await startBuiltService('mcp', { ...env, MCP_PORT: String(mcpPort), API_URL: `http://127.0.0.1:${apiPort}`, LOG_LEVEL: 'info' });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${mcpPort}/mcp`)));
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < calls + 2; i++) {
      const started = performance.now();
      const result = await client.callTool({ name: 'get_report', arguments: { project: 'big-project' } });
      const ms = performance.now() - started;
      if (result.isError) throw new Error(`get_report failed: ${JSON.stringify(result.content)}`);
      const html = (result.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('');
      bytes = Buffer.byteLength(html);
      if (i >= 2) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const figure = {
      project_runs: RUNS, calls, p50_ms: round(percentile(times, 50), 1), p99_ms: round(percentile(times, 99), 1),
      html_bytes: bytes, target_ms: 150, target_bytes: 1_048_576,
    };
    say(`get_report, ${RUNS.toLocaleString()} runs: p50 ${figure.p50_ms} ms, p99 ${figure.p99_ms} ms, ${Math.round(bytes / 1024)} KiB`);
    return figure;
  } finally {
    await client.close().catch(() => {});
    await Promise.all([mcp.stop(), api.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
