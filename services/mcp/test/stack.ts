import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResultInput } from '@pytest-platform/schema';
import { testDatabaseUrl } from '../../../test-support/postgres.js';
import { makeRun, randomStream } from '../../../test-support/runs.js';
import { waitFor } from '../../../test-support/wait-for.js';
import { REDIS_URL, freePort, startService, type RunningService } from '../../../test-support/services.js';

export const XSS_NODEID = 'tests/test_xss.py::test_<img src=x onerror=alert(1)>';
export const XSS_MESSAGE = 'AssertionError: got </script><script>alert(2)</script> & "quotes"';

export interface Stack {
  apiUrl: string;
  token: string | undefined;
  /** Runs seeded per project, oldest first. */
  runs: Record<string, RunResultInput[]>;
  /** The environment the API was started with (to start it again). */
  apiEnv: Record<string, string>;
  api: RunningService;
  ingest: RunningService;
  stopApi(): Promise<void>;
  startApi(): Promise<void>;
  stop(): Promise<void>;
}

const started = (n: number) => new Date(Date.now() - (10 - n) * 12 * 3_600_000).toISOString();
const finished = (n: number, seconds: number) => new Date(Date.parse(started(n)) + seconds * 1000).toISOString();

/** Runs of project `demo` with a falling then rising pass rate, the newest one carrying hostile test names. */
function demoRuns(): RunResultInput[] {
  const runs: RunResultInput[] = [];
  for (let i = 0; i < 9; i++) {
    const failing = [0, 1, 0, 1, 2, 2, 3, 3, 4][i] ?? 0;
    const tests: NonNullable<RunResultInput['tests']> = [];
    for (let t = 0; t < 10; t++) {
      const failed = t < failing;
      tests.push({
        nodeid: `tests/test_api.py::test_case_${t}`,
        outcome: failed ? 'failed' : 'passed',
        duration: 0.1 + t / 100,
        message: failed ? `AssertionError: assert ${t} == 200` : null,
        longrepr: failed ? `def test_case_${t}():\n>       assert ${t} == 200\nE       AssertionError: assert ${t} == 200\n\ntests/test_api.py:${10 + t}: AssertionError` : null,
        file: 'tests/test_api.py',
        line: 10 + t,
        ...(t === 1 ? { tags: ['slow', 'owner=payments'] } : {}),
      });
    }
    tests.push({ nodeid: 'tests/test_skip.py::test_later', outcome: 'skipped', message: 'not ready' });
    runs.push(makeRun({ started_at: started(i), finished_at: finished(i, 20 + i * 3), duration: 20 + i * 3, worker_id: i % 2 ? 'ci-runner-02' : 'ci-runner-01', tests }));
  }
  runs.push(
    makeRun({
      started_at: started(9),
      finished_at: finished(9, 65),
      duration: 65,
      worker_id: 'laptop-<b>eve</b>',
      commit: 'deadbee',
      tests: [
        { nodeid: 'tests/test_api.py::test_case_0', outcome: 'passed', duration: 0.1 },
        { nodeid: XSS_NODEID, outcome: 'failed', duration: 0.2, message: XSS_MESSAGE, longrepr: `Traceback:\n  ${XSS_MESSAGE}\n<!-- --> <style>body{display:none}</style>`, file: 'tests/test_xss.py', line: 3 },
        { nodeid: 'tests/test_db.py::test_connect', outcome: 'error', duration: 0.3, message: 'ConnectionError: refused', longrepr: 'E   ConnectionError: refused' },
      ],
    }),
  );
  return runs;
}

/** Build 4242-1 of project `acme/shop` on branch `release/1.x`: shard 1/2 passed (40 s), shard 2/2 failed (60 s, 5 s later). */
function buildRuns(): RunResultInput[] {
  const start = Date.parse(started(1)) - 3_600_000;
  const common = { project: 'acme/shop', branch: 'release/1.x', commit: 'f00d', worker_id: 'ci-runner-03', build_id: '4242-1' };
  return [
    makeRun({
      ...common, shard: '1/2', started_at: new Date(start).toISOString(), finished_at: new Date(start + 40_000).toISOString(), duration: 40,
      tests: [{ nodeid: 'a', outcome: 'passed' }, { nodeid: 'b', outcome: 'passed' }, { nodeid: 'c', outcome: 'passed' }],
    }),
    makeRun({
      ...common, shard: '2/2', started_at: new Date(start + 5_000).toISOString(), finished_at: new Date(start + 65_000).toISOString(), duration: 60,
      tests: [{ nodeid: 'd', outcome: 'passed' }, { nodeid: 'e', outcome: 'failed', message: 'AssertionError: e' }],
    }),
  ];
}


/** Starts real ingest and API processes on a temp SQLite file and a random stream, and stores `runs` through `POST /results`. */
export async function startStack(options: { token?: string; runs?: Record<string, RunResultInput[]> } = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-stack-'));
  const port = await freePort();
  const database = await testDatabaseUrl(dir, 'results.sqlite');
  const common: Record<string, string> = {
    REDIS_URL,
    DATABASE_URL: database.url,
    RESULTS_STREAM: randomStream('mcp-test'),
  };
  if (options.token) common.API_TOKEN = options.token;
  const apiEnv = { ...common, API_PORT: String(port), API_HOST: '127.0.0.1' };
  const apiUrl = `http://127.0.0.1:${port}`;
  const ingest = await startService('ingest', common);
  let api = await startService('api', apiEnv);
  const runs = options.runs ?? {
    demo: demoRuns(),
    other: [makeRun({ project: 'other', branch: 'dev', worker_id: 'ci-runner-03', started_at: started(5) })],
    'acme/shop': buildRuns(),
  };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const all = Object.values(runs).flat();
  for (const run of all) {
    const response = await fetch(`${apiUrl}/results`, { method: 'POST', headers, body: JSON.stringify(run) });
    if (response.status !== 202 && response.status !== 200 && response.status !== 201) {
      throw new Error(`POST /results answered ${response.status}: ${await response.text()}`);
    }
  }
  await waitFor(`${all.length} runs to be stored`, async () => {
    const response = await fetch(`${apiUrl}/results?limit=500`, { headers }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as { items: unknown[] } | null;
    return (body?.items.length ?? 0) >= all.length;
  }, 60_000, 150);

  const stack: Stack = {
    apiUrl,
    token: options.token,
    runs,
    apiEnv,
    get api() {
      return api;
    },
    ingest,
    async stopApi() {
      await api.stop();
    },
    async startApi() {
      api = await startService('api', apiEnv);
    },
    async stop() {
      await Promise.allSettled([api.stop(), ingest.stop()]);
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
