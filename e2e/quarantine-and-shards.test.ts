import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisKeyFor } from '@pytest-platform/schema';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream } from '../test-support/runs.js';
import { REDIS_URL, freePort, repoRoot, startService, type RunningService } from '../test-support/services.js';
import { waitFor } from '../test-support/wait-for.js';

// A real pytest with the real plugin, through the real ingest and API processes: a test quarantined
// through `PUT /quarantine`, and a suite split into three shards by the durations ingest recorded.
const python = join(repoRoot, 'shared/pytest-plugin/.venv/bin/python');
const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-quarantine-'));
const stream = randomStream('e2e-quarantine');
const redis = new Redis(REDIS_URL);
const services: RunningService[] = [];
let api = '';

type Run = { run_id: string; status: string; shard: string | null; build_id: string | null; summary: Record<string, number> };
type TestItem = { nodeid: string; outcome: string; quarantined: boolean };

function pytest(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(python, ['-m', 'pytest', '-p', 'no:cacheprovider', ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, REDIS_URL, RESULTS_STREAM: stream, BRANCH: 'main', PYTEST_PLATFORM_SPOOL_DIR: join(dir, 'spool'), ...env },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const get = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${api}${path}`);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

/** The finished runs of `project` once there are `count` of them. */
const finishedRuns = (project: string, count: number, extra = '') =>
  waitFor(`${count} finished runs of ${project}`, async () => {
    const { items } = await get<{ items: Run[] }>(`/results?project=${project}${extra}`);
    return items.length === count && items.every((r) => r.status !== 'running') ? items : null;
  });

const testsOf = async (runId: string) => (await get<{ items: TestItem[] }>(`/results/${runId}/tests?limit=500`)).items;

function writeSuite(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  mkdirSync(root);
  writeFileSync(join(root, 'pytest.ini'), '[pytest]\n');
  for (const [file, source] of Object.entries(files)) writeFileSync(join(root, file), source);
  return root;
}

beforeAll(async () => {
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const env = { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: join(dir, 'e2e.sqlite') };
  services.push(await startService('ingest', { ...env, INGEST_BLOCK_MS: '200', INGEST_FOLD_SECONDS: '1' }));
  services.push(await startService('api', { ...env, API_PORT: String(port) }));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  const keys = await redis.keys(`${stream}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('quarantine through the API, shards by recorded durations, through ingest and the API', () => {
  it('--platform-quarantine: a test quarantined with PUT /quarantine fails, is stored failed and quarantined, and the session exits 0; a second failure exits 1', async () => {
    const project = `e2e-q-${randomUUID().slice(0, 8)}`;
    const suite = writeSuite(`q-${project}`, {
      'test_q.py': "def test_pass():\n    pass\n\ndef test_flaky():\n    assert 1 == 2, 'flaky'\n\ndef test_broken():\n    assert 'a' == 'b'\n",
    });
    const put = await fetch(`${api}/quarantine`, {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project, nodeid: 'test_q.py::test_flaky', reason: 'flips on main, TICKET-16' }),
    });
    expect(put.status, await put.clone().text()).toBe(200);

    const only = await pytest([suite, '--platform-quarantine', '-k', 'pass or flaky'], { PROJECT: project });
    expect(only.code, only.stdout + only.stderr).toBe(0);
    expect(only.stdout).toContain('QUARANTINED test_q.py::test_flaky - flips on main, TICKET-16');
    const [first] = await finishedRuns(project, 1);
    expect(first!.status).toBe('passed');
    const detail = await get<{ failures: TestItem[] }>(`/results/${first!.run_id}`);
    expect(detail.failures).toEqual([expect.objectContaining({ nodeid: 'test_q.py::test_flaky', outcome: 'failed', quarantined: true })]);

    const both = await pytest([suite, '--platform-quarantine'], { PROJECT: project });
    expect(both.code).toBe(1);
    const runs = await finishedRuns(project, 2);
    const second = runs.find((r) => r.run_id !== first!.run_id)!;
    expect(second.status).toBe('failed');
    const failed = (await testsOf(second.run_id)).filter((t) => t.outcome === 'failed');
    expect(failed.map((t) => [t.nodeid, t.quarantined]).sort()).toEqual([['test_q.py::test_broken', false], ['test_q.py::test_flaky', true]]);
  });

  it('--platform-shard k/3: the three sessions of one build run every collected test exactly once, and the build groups them', async () => {
    const project = `e2e-shards-${randomUUID().slice(0, 8)}`;
    const files: Record<string, string> = {};
    for (let f = 0; f < 9; f++) {
      files[`test_f${f}.py`] = Array.from({ length: 1 + (f % 3) }, (_, t) => `def test_${t}():\n    time.sleep(${(f % 4) * 0.02})\n`).join('\n');
      files[`test_f${f}.py`] = `import time\n\n${files[`test_f${f}.py`]}`;
    }
    const suite = writeSuite(`s-${project}`, files);
    const everyTest = Object.entries(files).flatMap(([file, source]) => [...source.matchAll(/^def (test_\d+)/gm)].map((m) => `${file}::${m[1]}`)).sort();

    // A whole run first: ingest records each file's duration and publishes them for the shards.
    expect((await pytest([suite], { PROJECT: project })).code).toBe(0);
    await finishedRuns(project, 1);
    const durationsKey = redisKeyFor('durations', stream, project);
    await waitFor('published durations of every file', async () => {
      const text = await redis.get(durationsKey);
      return text !== null && Object.keys((JSON.parse(text) as { files: Record<string, number> }).files).length === 9;
    });

    const build = `e2e-build-${randomUUID().slice(0, 8)}`;
    for (const k of [1, 2, 3]) {
      const shard = await pytest([suite, '--platform-shard', `${k}/3`], { PROJECT: project, PYTEST_PLATFORM_BUILD_ID: build });
      expect(shard.code, shard.stdout + shard.stderr).toBe(0);
      expect(shard.stderr).not.toContain('split by count'); // the recorded durations were read
    }
    const runs = await finishedRuns(project, 3, `&build_id=${build}`);
    expect(runs.map((r) => r.shard).sort()).toEqual(['1/3', '2/3', '3/3']);
    const ran = (await Promise.all(runs.map((r) => testsOf(r.run_id)))).flat().map((t) => t.nodeid);
    expect(ran.sort()).toEqual(everyTest);
    expect(new Set(ran).size).toBe(ran.length);

    const grouped = await get<{ run_count: number; shards: string[]; summary: { total: number; passed: number }; runs: Run[] }>(`/builds/${build}?project=${project}`);
    expect(grouped).toMatchObject({ run_count: 3, summary: expect.objectContaining({ total: everyTest.length, passed: everyTest.length }) });
    expect([...grouped.shards].sort()).toEqual(['1/3', '2/3', '3/3']);
  });
});
