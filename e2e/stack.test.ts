import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, freePort, repoRoot } from '../test-support/services.js';
import { buildPackages } from '../test-support/build.js';
import { makeRun, randomStream } from '../test-support/runs.js';

const run = promisify(execFile);
const stream = randomStream('e2e');
const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-'));
let api = '';
let stack: ChildProcess;
let output = '';
const redis = new Redis(REDIS_URL);

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const getJson = async (path: string) => {
  const res = await fetch(`${api}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  buildPackages('services/ingest', 'services/api', 'services/mcp');
  const [apiPort, mcpPort] = [await freePort(), await freePort()];
  api = `http://127.0.0.1:${apiPort}`;
  stack = spawn(process.execPath, ['scripts/start.js'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL, RESULTS_STREAM: stream,
      DATABASE_URL: join(dir, 'e2e.sqlite'), API_PORT: String(apiPort), MCP_PORT: String(mcpPort),
      INGEST_BLOCK_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  stack.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await eventually(async () => (output.includes('up and running') ? true : undefined), 'npm start to come up', 45_000).catch((error: Error) => {
    throw new Error(`${error.message}:\n${output}`);
  });
});

afterAll(async () => {
  if (stack.exitCode === null) {
    stack.kill('SIGINT');
    await new Promise((r) => stack.once('exit', r));
  }
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('the stack started by npm start', () => {
  it('answers /health with Redis and the database ok', async () => {
    const { status, body } = await getJson('/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', redis: { ok: true }, db: { ok: true, dialect: 'sqlite' } });
  });

  it('stores a run added with redis-cli XADD and lists its failures', async () => {
    const result = makeRun({ project: 'e2e-cli' });
    await run('redis-cli', ['-u', REDIS_URL, 'XADD', stream, '*', 'type', 'run', 'data', JSON.stringify(result)]);
    const listed = await eventually(async () => {
      const { body } = await getJson('/results?project=e2e-cli');
      return (body.items as unknown[]).length > 0 ? body : undefined;
    }, 'the run in GET /results');
    expect(listed.items).toEqual([expect.objectContaining({ run_id: result.run_id, status: 'failed', pass_rate: 0.5 })]);
    const detail = await getJson(`/results/${result.run_id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.failures).toEqual([
      expect.objectContaining({ nodeid: 'tests/test_a.py::test_bad', message: 'AssertionError: assert 404 == 200', longrepr: expect.stringContaining('assert 404 == 200') }),
    ]);
  });

  it('accepts POST /results with 202 and refuses a body without project, writing nothing', async () => {
    const result = makeRun({ project: 'e2e-post' });
    const accepted = await fetch(`${api}/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ run_id: result.run_id, stream_id: expect.stringMatching(/^\d+-\d+$/) });
    await eventually(async () => ((await getJson(`/results/${result.run_id}`)).status === 200 ? true : undefined), 'the posted run');

    const before = await redis.xlen(stream);
    const { project: _drop, ...noProject } = makeRun();
    const refused = await fetch(`${api}/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(noProject) });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_body');
    expect(body.error.message).toContain('project');
    expect(await redis.xlen(stream)).toBe(before);
  });

  it('stores a run delivered twice once', async () => {
    const result = makeRun({ project: 'e2e-twice' });
    for (let i = 0; i < 2; i++) await redis.xadd(stream, '*', 'type', 'run', 'data', JSON.stringify(result));
    await eventually(async () => ((await redis.xpending(stream, 'ingest'))[0] === 0 ? true : undefined), 'ingest to acknowledge both');
    const { body } = await getJson('/results?project=e2e-twice');
    expect(body.items).toHaveLength(1);
    expect(body.items).toEqual([expect.objectContaining({ summary: expect.objectContaining({ total: 2 }) })]);
  });

  it('stops every service on Ctrl-C', async () => {
    stack.kill('SIGINT');
    const code = await new Promise((r) => stack.once('exit', r));
    expect(code).toBe(0);
    await expect(fetch(`${api}/health`)).rejects.toThrow();
  });
});
