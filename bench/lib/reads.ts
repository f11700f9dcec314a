import { spawn } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import SqliteDatabase from 'better-sqlite3';
import { Redis } from 'ioredis';
import type { RunResult } from '@pytest-platform/schema';
import { freePort, startBuiltService } from './processes.js';
import { round } from './stats.js';

interface ReadOptions {
  databaseFile: string;
  redisUrl: string;
  storedResults: number;
  seconds: number;
  /** Runs re-sent under new ids for as long as the reads last, so ingest writes at full speed meanwhile. */
  feed: readonly RunResult[];
  say: (line: string) => void;
}

async function hit(url: string, connections: number, seconds: number) {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { p50_ms: result.latency.p50, p99_ms: result.latency.p99, requests_per_second: round(result.requests.average, 0) };
}

/** Every read route on the large dataset: one client with nothing else running, then one client and 16 with ingest running at full speed. */
export async function measureReads(options: ReadOptions) {
  const sample = new SqliteDatabase(options.databaseFile, { readonly: true });
  const runId = (sample.prepare('SELECT run_id FROM runs WHERE failed > 0 ORDER BY id DESC LIMIT 1').get() as { run_id: string }).run_id;
  const baseId = (sample.prepare("SELECT run_id FROM runs WHERE project = (SELECT project FROM runs WHERE run_id = ?) AND id < (SELECT id FROM runs WHERE run_id = ?) ORDER BY id DESC LIMIT 1").get(runId, runId) as { run_id: string } | undefined)?.run_id ?? runId;
  const project = (sample.prepare('SELECT project FROM runs WHERE run_id = ?').get(runId) as { project: string }).project;
  const nodeid = (sample.prepare("SELECT t.nodeid FROM results r JOIN tests t ON t.id = r.test_id JOIN runs u ON u.id = r.run_id WHERE u.run_id = ? AND r.outcome = 'failed' LIMIT 1").get(runId) as { nodeid: string }).nodeid;
  sample.close();

  const stream = 'bench:reads';
  const port = await freePort();
  const env = { REDIS_URL: options.redisUrl, RESULTS_STREAM: stream, DATABASE_URL: options.databaseFile };
  const api = await startBuiltService('api', { ...env, API_PORT: String(port), LOG_LEVEL: 'info' });
  const p = encodeURIComponent(project);
  const routes: Record<string, string> = {
    'GET /results': `/results?project=${p}&limit=50`,
    'GET /results/{run_id}': `/results/${runId}`,
    'GET /results/{run_id}/tests': `/results/${runId}/tests?outcome=failed`,
    'GET /trend': `/trend?project=${p}&branch=main&limit=30`,
    'GET /workers': '/workers',
    'GET /failures/stats': `/failures/stats?project=${p}&days=7&limit=20`,
    'GET /projects': '/projects',
    'GET /health': '/health',
    'GET /tests/history': `/tests/history?project=${p}&nodeid=${encodeURIComponent(nodeid)}&limit=20`,
    'GET /tests/slowest': `/tests/slowest?project=${p}&limit=20`,
    'GET /flaky': `/flaky?project=${p}`,
    'GET /failures/groups': `/failures/groups?project=${p}&days=7`,
    'GET /compare': `/compare?base=${baseId}&head=${runId}`,
  };
  // The floor of this machine: a bare node:http server answering `{}`, measured the same way.
  const floorPort = await freePort();
  const bare = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{}'); }).listen(${floorPort}, '127.0.0.1', () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(bare.stdout, 'data');
  const floor = await hit(`http://127.0.0.1:${floorPort}/`, 1, options.seconds);
  bare.kill();
  options.say(`bare node:http floor: p50 ${floor.p50_ms} ms, p99 ${floor.p99_ms} ms (1 client)`);

  // First with nothing else running: what each route itself costs on this store.
  const quiet: Record<string, Awaited<ReturnType<typeof hit>>> = {};
  const apiPeakAfter: Record<string, number> = { start: round(api.peakRssMb(), 0) };
  for (const [name, path] of Object.entries(routes)) {
    try {
      quiet[name] = await hit(`http://127.0.0.1:${port}${path}`, 1, options.seconds);
    } catch (error) {
      options.say(`${name} (quiet): ${(error as Error).message}`);
    }
    apiPeakAfter[`${name} (quiet)`] = round(api.peakRssMb(), 0);
  }

  // Then with ingest writing at full speed: the feeder keeps ~200 runs queued.
  const ingest = await startBuiltService('ingest', { ...env, LOG_LEVEL: 'info' });
  const producer = new Redis(options.redisUrl);
  let feeding = true;
  let fed = 0;
  const feeder = (async () => {
    while (feeding) {
      for (const run of options.feed) {
        if (!feeding) break;
        if ((await producer.xlen(stream)) > 200) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        await producer.xadd(stream, '*', 'type', 'run', 'data', JSON.stringify({ ...run, run_id: `${run.run_id}-r${fed++}` }));
      }
    }
  })();

  const out: Record<string, unknown> = {};
  // VmHWM is the peak of the process's life; the 16-client runs with ingest writing are its busiest part.
  let apiPeakRssMb = NaN;
  const apiRss = { anon: 0, file: 0 };
  try {
    for (const [name, path] of Object.entries(routes)) {
      try {
        const one = await hit(`http://127.0.0.1:${port}${path}`, 1, options.seconds);
        const sixteen = await hit(`http://127.0.0.1:${port}${path}`, 16, options.seconds);
        apiPeakAfter[name] = round(api.peakRssMb(), 0);
        const now = api.rssNowMb();
        apiRss.anon = Math.max(apiRss.anon, now.anon);
        apiRss.file = Math.max(apiRss.file, now.file);
        out[name] = { one_client: one, sixteen_clients: sixteen, one_client_without_ingest: quiet[name], target_p99_ms_one_client: 5 };
        options.say(`${name}: p50 ${one.p50_ms} ms, p99 ${one.p99_ms} ms (1 client); p99 ${sixteen.p99_ms} ms (16 clients); without ingest p50 ${quiet[name]?.p50_ms} ms, p99 ${quiet[name]?.p99_ms} ms`);
      } catch (error) {
        out[name] = { error: (error as Error).message };
        options.say(`${name}: ${(error as Error).message}`);
      }
    }
    apiPeakRssMb = api.peakRssMb();
  } finally {
    feeding = false;
    await feeder;
    producer.disconnect();
    await Promise.all([api.stop(), ingest.stop()]);
  }
  options.say(`API peak RSS during the 16-client runs: ${round(apiPeakRssMb, 0)} MB (target 250 MB); largest after a route: ${round(apiRss.anon, 0)} MB anonymous, ${round(apiRss.file, 0)} MB file-backed`);
  return {
    stored_results: options.storedResults, runs_ingested_meanwhile: fed, bare_http_floor_one_client: floor,
    api_peak_rss_mb: round(apiPeakRssMb, 0), target_api_peak_rss_mb: 250,
    api_rss_after_a_route_mb: { anonymous: round(apiRss.anon, 0), file_backed: round(apiRss.file, 0) },
    // Where the peak was reached: VmHWM after start-up and after each route (quiet, then with ingest).
    api_peak_rss_mb_after: apiPeakAfter, routes: out,
  };
}
