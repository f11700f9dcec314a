import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '../test-support/build.js';
import { randomStream } from '../test-support/runs.js';
import { REDIS_URL, freePort, repoRoot, startService, type RunningService } from '../test-support/services.js';

// A real pytest with the real plugin, through the real ingest and API processes.
const python = join(repoRoot, 'shared/pytest-plugin/.venv/bin/python');
const suite = 'shared/pytest-plugin/tests/fixtures/suite';
const expected = JSON.parse(readFileSync(join(repoRoot, suite, 'expected.json'), 'utf8')) as {
  exit_code: number;
  summary: Record<string, number>;
  tests: Record<string, { outcome: string; attempts: number; message: string | null }>;
};

const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-pytest-'));
const stream = randomStream('e2e-pytest');
const redis = new Redis(REDIS_URL);
const services: RunningService[] = [];
let api = '';

type Run = { run_id: string; status: string; summary: { total: number; passed: number; failed: number; errors: number } & Record<string, number>; framework: string };

type Finished = { code: number | null; output: string; stdout: string; stderr: string };

function runProcess(cmd: string, args: string[], env: Record<string, string>): { proc: ChildProcess; done: Promise<Finished> } {
  const proc = spawn(cmd, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return { proc, done: new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr, output: stdout + stderr }))) };
}

async function runsOf(project: string, done: (runs: Run[]) => boolean, timeoutMs = 20_000): Promise<Run[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${api}/results?project=${project}`)).json()) as { items: Run[] };
    if (done(body.items)) return body.items;
    if (Date.now() > deadline) throw new Error(`runs of ${project}: ${JSON.stringify(body.items)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pluginEnv = (project: string, extra: Record<string, string> = {}) => ({
  REDIS_URL, RESULTS_STREAM: stream, PROJECT: project, BRANCH: 'main', WORKER_ID: 'e2e-worker',
  FLAKY_STATE_FILE: join(dir, `flaky-${randomUUID()}`), PYTEST_PLATFORM_SPOOL_DIR: join(dir, 'spool'), ...extra,
});

beforeAll(async () => {
  buildPackages('shared/reporter');
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const env = { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: join(dir, 'e2e.sqlite') };
  services.push(await startService('ingest', { ...env, INGEST_BLOCK_MS: '200', RUN_STALE_SECONDS: '2', INGEST_SWEEP_SECONDS: '1' }));
  services.push(await startService('api', { ...env, API_PORT: String(port) }));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('pytest with the plugin, through ingest and the API', () => {
  it('stores exactly one run with exact counts, messages and tracebacks', async () => {
    const project = `e2e-pytest-${randomUUID().slice(0, 8)}`;
    const { done } = runProcess(python, ['-m', 'pytest', suite, '-p', 'no:cacheprovider'], pluginEnv(project));
    const { code } = await done;
    expect(code).toBe(expected.exit_code);
    const [run, ...more] = await runsOf(project, (runs) => runs.length > 0 && runs[0]!.status !== 'running');
    expect(more).toEqual([]);
    expect(run).toMatchObject({ status: 'failed', framework: 'pytest', summary: expected.summary });

    const detail = (await (await fetch(`${api}/results/${run!.run_id}`)).json()) as { failures: { nodeid: string; outcome: string; message: string; longrepr: string }[] };
    const failing = Object.entries(expected.tests).filter(([, t]) => t.outcome === 'failed' || t.outcome === 'error');
    expect(detail.failures.map((f) => f.nodeid).sort()).toEqual(failing.map(([id]) => id).sort());
    for (const failure of detail.failures) {
      expect(failure.message).toBe(expected.tests[failure.nodeid]!.message);
      expect(failure.longrepr.length).toBeGreaterThan(failure.message.length);
    }
  });

  it('stores one run for a pytest -n 2 session', async () => {
    const project = `e2e-xdist-${randomUUID().slice(0, 8)}`;
    const { done } = runProcess(python, ['-m', 'pytest', suite, '-n', '2', '-p', 'no:cacheprovider'], pluginEnv(project));
    expect((await done).code).toBe(expected.exit_code);
    const runs = await runsOf(project, (r) => r.length > 0 && r[0]!.status !== 'running');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.summary).toMatchObject({ total: expected.summary.total, failed: expected.summary.failed, errors: expected.summary.errors });
  });

  it('leaves an interrupted run with the tests reported before a SIGKILL', async () => {
    const project = `e2e-killed-${randomUUID().slice(0, 8)}`;
    const slow = join(dir, `slow_${randomUUID().slice(0, 8)}`);
    mkdirSync(slow);
    writeFileSync(join(slow, 'test_slow.py'), 'import time, pytest\n\n@pytest.mark.parametrize("i", range(200))\ndef test_slow(i):\n    time.sleep(0.05)\n');
    const { proc, done } = runProcess(python, ['-m', 'pytest', slow, '-p', 'no:cacheprovider', '-p', 'no:randomly'], pluginEnv(project, { PYTEST_PLATFORM_BATCH_SIZE: '5' }));
    const running = await runsOf(project, (r) => r.length > 0 && r[0]!.summary.total >= 10);
    expect(running[0]!.status).toBe('running');
    const workers = (await (await fetch(`${api}/workers`)).json()) as { items: { worker_id: string; status: string }[] };
    expect(workers.items.find((w) => w.worker_id === 'e2e-worker')?.status).toBe('running');
    proc.kill('SIGKILL');
    await done;
    const [run] = await runsOf(project, (r) => r[0]?.status === 'interrupted');
    expect(run!.summary.total).toBeGreaterThanOrEqual(10);
    expect(run!.summary.total).toBeLessThan(200);
    expect(run!.summary.passed).toBe(run!.summary.total);
  });

  it('`pytest-platform run -- python -m pytest` stores one run and exits with pytest\'s code', async () => {
    const project = `e2e-cli-run-${randomUUID().slice(0, 8)}`;
    const { done } = runProcess(
      process.execPath,
      ['shared/reporter/bin/pytest-platform.js', 'run', '--project', project, '--', python, '-m', 'pytest', suite, '-p', 'no:pytest_platform', '-p', 'no:cacheprovider'],
      pluginEnv(project),
    );
    const { code, output } = await done;
    expect(code, output).toBe(expected.exit_code);
    const runs = await runsOf(project, (r) => r.length > 0);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'failed', summary: expect.objectContaining({ total: expected.summary.total, failed: expected.summary.failed }) });
  });

  it('spools a run while Redis is down and stores it once with the next session', async () => {
    const project = `e2e-spool-${randomUUID().slice(0, 8)}`;
    const spool = join(dir, `spool-${randomUUID().slice(0, 8)}`);
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const down = runProcess(python, ['-m', 'pytest', suite, '-p', 'no:cacheprovider'], pluginEnv(project, { REDIS_URL: closed, PYTEST_PLATFORM_SPOOL_DIR: spool }));
    const first = await down.done;
    expect(first.code).toBe(expected.exit_code);
    // The output is pytest's own plus one warning line: compare with a session where the plugin is inactive.
    const { REDIS_URL: _unset, ...inactiveEnv } = pluginEnv(project);
    const quiet = await runProcess(python, ['-m', 'pytest', suite, '-p', 'no:cacheprovider'], inactiveEnv).done;
    const normalize = (text: string) => text.replace(/ in \d+\.\d+s/g, ' in Xs');
    expect(normalize(first.stdout)).toBe(normalize(quiet.stdout));
    const warnings = first.stderr.split('\n').filter(Boolean);
    expect(warnings).toHaveLength(quiet.stderr.split('\n').filter(Boolean).length + 1);
    expect(warnings.filter((line) => line.startsWith('pytest-platform: '))).toEqual([expect.stringContaining(spool)]);

    const up = runProcess(python, ['-m', 'pytest', suite, '-p', 'no:cacheprovider'], pluginEnv(project, { PYTEST_PLATFORM_SPOOL_DIR: spool }));
    expect((await up.done).code).toBe(expected.exit_code);
    const runs = await runsOf(project, (r) => r.length === 2 && r.every((run) => run.status === 'failed'));
    expect(new Set(runs.map((r) => r.run_id)).size).toBe(2);
    for (const run of runs) expect(run.summary).toMatchObject(expected.summary);
  });
});
