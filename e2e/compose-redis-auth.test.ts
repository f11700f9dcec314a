import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '../test-support/build.js';
import { startRedisServer } from '../test-support/redis-server.js';
import { makeRun, randomStream } from '../test-support/runs.js';
import { freePort, repoRoot, startService, type RunningService } from '../test-support/services.js';

// docker-compose.yml as `docker-compose config` renders it, run without containers: redis-server with
// the compose file's own arguments, ingest and the API with its REDIS_URL (host `redis` swapped for the
// local port), and a reporter outside "the network" with the published address and the password.
const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-compose-'));
const PASSWORD = randomBytes(24).toString('hex');
const TOKEN = randomBytes(24).toString('hex');
const servers: ChildProcess[] = [];
const services: RunningService[] = [];
const outputs: string[] = [];

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | null>;
  ports?: string[];
  healthcheck?: { test: string[] };
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/** The compose file rendered with exactly `env` (an empty --env-file keeps a developer's .env out). */
async function composeConfig(env: Record<string, string>): Promise<Record<string, ComposeService>> {
  const emptyEnv = join(dir, 'empty.env');
  writeFileSync(emptyEnv, '');
  const result = await run('docker-compose', ['--env-file', emptyEnv, '-f', 'docker-compose.yml', 'config'], env);
  expect(result.code, result.output).toBe(0);
  return (parse(result.output) as { services: Record<string, ComposeService> }).services;
}

async function startRedis(args: string[], port: number): Promise<void> {
  servers.push(await startRedisServer([...args, '--port', String(port), '--bind', '127.0.0.1'], mkdtempSync(join(dir, 'redis-'))));
}

/** Starts ingest and the API with the compose environment, as the containers would get it. */
async function stackFrom(config: Record<string, ComposeService>, redisPort: number, name: string) {
  const stream = randomStream(`e2e-compose-${name}`);
  const fromCompose = (service: string) => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(config[service]!.environment ?? {})) if (value !== null) env[key] = value;
    env.REDIS_URL = env.REDIS_URL!.replace('@redis:6379', `@127.0.0.1:${redisPort}`);
    return { ...env, RESULTS_STREAM: stream, DATABASE_URL: join(dir, `${name}.sqlite`), INGEST_BLOCK_MS: '200' };
  };
  services.push(await startService('ingest', fromCompose('ingest')));
  const port = await freePort();
  services.push(await startService('api', { ...fromCompose('api'), API_HOST: '127.0.0.1', API_PORT: String(port) }));
  return { api: `http://127.0.0.1:${port}`, stream };
}

async function projectRuns(api: string, project: string, headers: Record<string, string>, count = 1): Promise<unknown[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const body = (await (await fetch(`${api}/results?project=${project}`, { headers })).json()) as { items: unknown[] };
    if (body.items.length >= count || Date.now() > deadline) return body.items;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const junit = join(dir, 'report.xml');

beforeAll(() => {
  buildPackages('shared/reporter');
  writeFileSync(junit, '<testsuite name="s" tests="1"><testcase classname="c" name="t" time="0.1"/></testsuite>');
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(services.map((service) => service.stop()));
  for (const proc of servers) proc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('docker-compose.yml with REDIS_PASSWORD and API_TOKEN', () => {
  let config: Record<string, ComposeService>;
  let redisPort: number;
  let stack: { api: string; stream: string };
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    config = await composeConfig({ REDIS_PASSWORD: PASSWORD, API_TOKEN: TOKEN, REDIS_PUBLISH: '0.0.0.0:6379' });
    redisPort = await freePort();
    await startRedis(config.redis!.command!, redisPort);
    stack = await stackFrom(config, redisPort, 'password');
  }, 120_000);

  it('publishes Redis where REDIS_PUBLISH says, requires the password, and every service carries it in REDIS_URL', async () => {
    expect(config.redis!.ports).toEqual(['0.0.0.0:6379:6379/tcp']);
    expect(config.redis!.command).toEqual(expect.arrayContaining(['--requirepass', PASSWORD]));
    for (const service of ['ingest', 'api', 'mcp']) expect(config[service]!.environment!.REDIS_URL).toBe(`redis://:${PASSWORD}@redis:6379`);
    expect(config.api!.environment!.API_TOKEN).toBe(TOKEN);
    const anonymous = await run('redis-cli', ['-p', String(redisPort), 'ping'], {});
    expect(anonymous.output).toMatch(/NOAUTH/);
    // The compose healthcheck as the container runs it (`$$` is compose's escape for `$`), pointed at this port.
    const check = config.redis!.healthcheck!.test[1]!.replaceAll('$$', '$').replace('redis-cli ping', `redis-cli -p ${redisPort} ping`);
    expect((await run('sh', ['-c', check], { REDIS_PASSWORD: PASSWORD })).code).toBe(0);
    expect((await run('sh', ['-c', check], { REDIS_PASSWORD: 'wrong-password' })).code).not.toBe(0);
  });

  it('a reporter outside the network sends with PYTEST_PLATFORM_REDIS_URL=redis://:<password>@<published address>', async () => {
    const cli = await run(process.execPath, ['shared/reporter/bin/pytest-platform.js', 'import', junit, '--project', 'compose-redis'], {
      PYTEST_PLATFORM_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${redisPort}`, RESULTS_STREAM: stack.stream, PYTEST_PLATFORM_SPOOL_DIR: join(dir, 'spool'),
    });
    outputs.push(cli.output);
    expect(cli.code, cli.output).toBe(0);
    expect(await projectRuns(stack.api, 'compose-redis', auth)).toHaveLength(1);
  });

  it('a reporter without the password delivers nothing', async () => {
    const cli = await run(process.execPath, ['shared/reporter/bin/pytest-platform.js', 'import', junit, '--project', 'compose-nopass'], {
      PYTEST_PLATFORM_REDIS_URL: `redis://127.0.0.1:${redisPort}`, RESULTS_STREAM: stack.stream, PYTEST_PLATFORM_SPOOL_DIR: join(dir, 'spool-nopass'), PYTEST_PLATFORM_STOP_TIMEOUT: '2',
    });
    outputs.push(cli.output);
    // The server's own words reach the end line: a missing password, not a vague closed connection.
    expect(cli.output).toMatch(/ · not sent \(Redis unavailable: NOAUTH Authentication required\.\): spooled to /);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await projectRuns(stack.api, 'compose-nopass', auth, 0)).toHaveLength(0);
  });

  it('the other way in: POST /results on the published API with API_TOKEN', async () => {
    const body = JSON.stringify(makeRun({ project: 'compose-http' }));
    const refused = await fetch(`${stack.api}/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(refused.status).toBe(401);
    const posted = await fetch(`${stack.api}/results`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body });
    expect(posted.status).toBe(202);
    expect(await projectRuns(stack.api, 'compose-http', auth)).toHaveLength(1);
    expect(await (await fetch(`${stack.api}/health`)).json()).toMatchObject({ status: 'ok', redis: { ok: true } });
  });

  it('no service or reporter prints the password or the token', () => {
    const all = [...services.map((service) => service.output()), ...outputs].join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(TOKEN);
  });
});

describe('docker-compose.yml with nothing set', () => {
  it('publishes Redis on 127.0.0.1 only, without AUTH, passes no blank token, and the stack works from its REDIS_URL', async () => {
    const config = await composeConfig({});
    expect(config.redis!.ports).toEqual(['127.0.0.1:6379:6379/tcp']);
    expect(config.api!.ports).toEqual(['127.0.0.1:8080:8080/tcp']);
    expect(config.api!.environment!.REDIS_URL).toBe('redis://:@redis:6379');
    expect(config.api!.environment!.API_TOKEN).toBeNull();
    expect(config.mcp!.environment!.API_TOKEN).toBeNull();
    const redisPort = await freePort();
    await startRedis(config.redis!.command!, redisPort);
    const { api } = await stackFrom(config, redisPort, 'default');
    const posted = await fetch(`${api}/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(makeRun({ project: 'compose-default' })) });
    expect(posted.status).toBe(202);
    expect(await projectRuns(api, 'compose-default', {})).toHaveLength(1);
  });
});
