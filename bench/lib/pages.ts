import autocannon from 'autocannon';
import SqliteDatabase from 'better-sqlite3';
import { createRunWriter, openDatabase } from '@pytest-platform/db';
import { makeRun } from './dataset.js';
import { freePort, startBuiltService } from './processes.js';
import { round } from './stats.js';

interface PagesOptions {
  databaseFile: string;
  redisUrl: string;
  storedResults: number;
  seconds: number;
  say: (line: string) => void;
}

const BUILD_ID = 'bench-build-1';

/** Two shards of one CI build, so the build page has something to show (the dataset's runs carry no build id). */
async function addBuild(databaseFile: string, project: string): Promise<void> {
  const store = await openDatabase(databaseFile);
  try {
    const now = Date.now();
    const shards = [0, 1].map((k) => ({
      type: 'run' as const,
      data: { ...makeRun(k, now - (2 - k) * 60_000), run_id: `bench-build-shard-${k + 1}`, project, build_id: BUILD_ID, shard: `${k + 1}/2` },
    }));
    await createRunWriter(store).write(shards);
  } finally {
    await store.close();
  }
}

/**
 * Every page type of the MCP HTTP service on the largest store, one client at a time with nothing
 * else running: p50/p99 (autocannon) and the size of the HTML. The pages ask the API, so each
 * figure includes the API reads behind it.
 */
export async function measurePages(options: PagesOptions) {
  const sample = new SqliteDatabase(options.databaseFile, { readonly: true });
  const run = sample.prepare("SELECT id, run_id, project, branch FROM runs WHERE failed > 0 AND branch = 'main' ORDER BY id DESC LIMIT 1").get() as { id: number; run_id: string; project: string; branch: string };
  const previous = (sample.prepare('SELECT run_id FROM runs WHERE project = ? AND branch = ? AND id < ? ORDER BY id DESC LIMIT 1').get(run.project, run.branch, run.id) as { run_id: string } | undefined)?.run_id ?? run.run_id;
  const nodeid = (sample.prepare("SELECT t.nodeid FROM results r JOIN tests t ON t.id = r.test_id WHERE r.run_id = ? AND r.outcome = 'failed' LIMIT 1").get(run.id) as { nodeid: string }).nodeid;
  sample.close();
  await addBuild(options.databaseFile, run.project);

  const env = { REDIS_URL: options.redisUrl, RESULTS_STREAM: 'bench:pages', DATABASE_URL: options.databaseFile, LOG_LEVEL: 'info' };
  const apiPort = await freePort();
  const mcpPort = await freePort();
  const api = await startBuiltService('api', { ...env, API_PORT: String(apiPort) });
  const mcp = await startBuiltService('mcp', { ...env, MCP_PORT: String(mcpPort), API_URL: `http://127.0.0.1:${apiPort}` });
  const p = encodeURIComponent(run.project);
  const pages: Record<string, string> = {
    '/': '/',
    '/projects/{project}': `/projects/${p}`,
    '/runs/{run_id}': `/runs/${run.run_id}`,
    '/runs/{run_id} filtered': `/runs/${run.run_id}?outcome=failed&q=${encodeURIComponent('test_case_1')}`,
    '/compare': `/compare?base=${previous}&head=${run.run_id}`,
    '/builds/{build_id}': `/builds/${BUILD_ID}?project=${p}`,
    '/tests': `/tests?project=${p}&nodeid=${encodeURIComponent(nodeid)}`,
    '/flaky': `/flaky?project=${p}`,
    '/workers': '/workers',
  };
  const out: Record<string, unknown> = {};
  try {
    for (const [name, path] of Object.entries(pages)) {
      const url = `http://127.0.0.1:${mcpPort}${path}`;
      const response = await fetch(url);
      const bytes = Buffer.byteLength(await response.text());
      if (response.status !== 200) {
        out[name] = { error: `answered ${response.status}` };
        options.say(`page ${name}: answered ${response.status}`);
        continue;
      }
      const result = await autocannon({ url, connections: 1, duration: options.seconds, pipelining: 1 });
      const failed = result.non2xx + result.errors;
      out[name] = {
        p50_ms: result.latency.p50, p99_ms: result.latency.p99, requests_per_second: round(result.requests.average, 0), html_bytes: bytes,
        ...(failed > 0 ? { failed_requests: failed } : {}),
      };
      options.say(`page ${name}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${Math.round(bytes / 1024)} KiB${failed > 0 ? `, ${failed} failed` : ''}`);
    }
  } finally {
    await Promise.all([mcp.stop(), api.stop()]);
  }
  return { stored_results: options.storedResults, one_client: true, target_p99_ms: 100, target_html_bytes: 500_000, pages: out };
}
