import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunWriter, openDatabase, type Store } from '@pytest-platform/db';
import { parseEntry } from '@pytest-platform/schema';
import { makeRun, randomStream } from '../test-support/runs.js';
import { REDIS_URL, freePort, startService, type RunningService } from '../test-support/services.js';
import { recordFigures, tempDir, waitFor } from './support.js';

// The read side restarted under read load: a loop of GETs against the API and a loop of MCP tool
// calls (through the MCP service, which reads the API) run while the API is stopped (SIGTERM) and
// started again, then while the MCP service is killed (SIGKILL) and started again. Clients see
// errors during each outage, and once a call succeeds again every later call succeeds.
const PROJECT = 'faults-read';
const dir = tempDir();
const dbFile = join(dir.path, 'faults.sqlite');
const seeded = Array.from({ length: 5 }, () => makeRun({ project: PROJECT }));
let store: Store;
let apiPort = 0;
let mcpPort = 0;
let api: RunningService | undefined;
let mcp: RunningService | undefined;

type Phase = 'before' | 'api-down' | 'api-back' | 'mcp-down' | 'mcp-back';
interface Call { phase: Phase; ok: boolean }

beforeAll(async () => {
  store = await openDatabase(dbFile);
  const writer = createRunWriter(store);
  for (const run of seeded) {
    const parsed = parseEntry('run', JSON.stringify(run));
    if (!parsed.ok) throw new Error(parsed.reason);
    await writer.write([parsed.entry], Date.now());
  }
  [apiPort, mcpPort] = [await freePort(), await freePort()];
});

afterAll(async () => {
  await mcp?.stop('SIGKILL');
  await api?.stop('SIGKILL');
  await store?.close();
  dir.cleanup();
});

const startApi = () => startService('api', {
  REDIS_URL, RESULTS_STREAM: randomStream('faults-read'), DATABASE_URL: dbFile, API_PORT: String(apiPort), API_HOST: '127.0.0.1', LOG_LEVEL: 'info',
}).then((s) => (api = s));
const startMcp = () => startService('mcp', {
  MCP_PORT: String(mcpPort), MCP_HOST: '127.0.0.1', API_URL: `http://127.0.0.1:${apiPort}`, LOG_LEVEL: 'info',
}).then((s) => (mcp = s));

/** Calls `probe` in a loop until stopped, tagging each outcome with the phase it ended in (a call cut by a stop counts as the outage's). */
function readLoop(phase: () => Phase, probe: () => Promise<boolean>) {
  const calls: Call[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const ok = await probe().catch(() => false);
      calls.push({ phase: phase(), ok });
      if (!ok) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    calls,
    count: (p: Phase, ok: boolean) => calls.filter((c) => c.phase === p && c.ok === ok).length,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** True when, within `p`, no call failed after the first one that succeeded. */
const steadyAfterRecovery = (calls: readonly Call[], p: Phase) => {
  const inPhase = calls.filter((c) => c.phase === p);
  const first = inPhase.findIndex((c) => c.ok);
  return first >= 0 && inPhase.slice(first).every((c) => c.ok);
};

describe('API and MCP restarted under read load', () => {
  it('clients see errors during each outage and steady success after it', { timeout: 120_000 }, async () => {
    await startApi();
    await startMcp();
    let phase: Phase = 'before';
    const wanted = seeded.map((r) => r.run_id).sort();

    const http = readLoop(() => phase, async () => {
      const list = await fetch(`http://127.0.0.1:${apiPort}/results?project=${PROJECT}`);
      if (list.status !== 200) return false;
      const ids = ((await list.json()) as { items: { run_id: string }[] }).items.map((r) => r.run_id).sort();
      const one = await fetch(`http://127.0.0.1:${apiPort}/results/${seeded[0]!.run_id}`);
      return JSON.stringify(ids) === JSON.stringify(wanted) && one.status === 200 && ((await one.json()) as { run_id?: string }).run_id === seeded[0]!.run_id;
    });

    let client: Client | undefined;
    const tool = readLoop(() => phase, async () => {
      try {
        if (!client) {
          const next = new Client({ name: 'faults', version: '1.0.0' });
          await next.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${mcpPort}/mcp`)));
          client = next;
        }
        const result = await client.callTool({ name: 'get_summary', arguments: { project: PROJECT, limit: 10 } });
        const runs = (result.structuredContent as { runs?: { run_id: string }[] } | undefined)?.runs ?? [];
        return result.isError !== true && JSON.stringify(runs.map((r) => r.run_id).sort()) === JSON.stringify(wanted);
      } catch (error) {
        // A client whose server went away starts over, as a reconnecting MCP client does.
        await client?.close().catch(() => {});
        client = undefined;
        throw error;
      }
    });

    try {
      await waitFor('reads to succeed', () => http.count('before', true) >= 20 && tool.count('before', true) >= 5);

      phase = 'api-down';
      const apiDownAt = Date.now();
      await api!.stop('SIGTERM');
      await waitFor('API errors on both paths', () => http.count('api-down', false) >= 5 && tool.count('api-down', false) >= 3);
      phase = 'api-back';
      await startApi();
      const apiOutageMs = Date.now() - apiDownAt;
      await waitFor('reads to recover after the API restart', () => http.count('api-back', true) >= 20 && tool.count('api-back', true) >= 5);

      phase = 'mcp-down';
      const mcpDownAt = Date.now();
      await mcp!.stop('SIGKILL');
      await waitFor('MCP errors', () => tool.count('mcp-down', false) >= 5);
      phase = 'mcp-back';
      await startMcp();
      const mcpOutageMs = Date.now() - mcpDownAt;
      await waitFor('tool calls to recover after the MCP restart', () => tool.count('mcp-back', true) >= 10 && http.count('mcp-back', true) >= 10);

      await Promise.all([http.stop(), tool.stop()]);
      const figures = (loop: typeof http) =>
        Object.fromEntries((['before', 'api-down', 'api-back', 'mcp-down', 'mcp-back'] as const).map((p) => [p, { ok: loop.count(p, true), errors: loop.count(p, false) }]));
      recordFigures('read-restart', {
        faults_injected: 2, fault: 'API stopped (SIGTERM) and restarted; MCP service killed (SIGKILL) and restarted; same ports',
        api_outage_ms: apiOutageMs, mcp_outage_ms: mcpOutageMs,
        http_get_loop: figures(http), mcp_tool_loop: figures(tool),
      });

      expect(http.count('before', false)).toBe(0);
      expect(tool.count('before', false)).toBe(0);
      expect(http.count('api-down', false)).toBeGreaterThan(0);
      expect(tool.count('api-down', false)).toBeGreaterThan(0);
      expect(tool.count('mcp-down', false)).toBeGreaterThan(0);
      expect(http.count('mcp-down', false)).toBe(0);
      for (const p of ['api-back', 'mcp-back'] as const) {
        expect(steadyAfterRecovery(http.calls, p)).toBe(true);
        expect(steadyAfterRecovery(tool.calls, p)).toBe(true);
      }
      expect(mcp!.output()).not.toContain('"level":60');
    } finally {
      await Promise.all([http.stop(), tool.stop()]);
      await client?.close().catch(() => {});
    }
  });
});
