import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '../test-support/build.js';
import { startRedisServer } from '../test-support/redis-server.js';
import { makeRun, randomStream } from '../test-support/runs.js';
import { freePort, repoRoot, startService, type RunningService } from '../test-support/services.js';

// Real redis-server processes: one with an ACL user and password (default user off), one TLS-only
// with a password; ingest, the API, the Node reporter CLI and the pytest plugin connect from the URL alone.
const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-redis-auth-'));
const PASSWORD = `acl-${randomUUID()}`;
const TLS_PASSWORD = `tls-${randomUUID()}`;
const python = join(repoRoot, 'shared/pytest-plugin/.venv/bin/python');
const servers: ChildProcess[] = [];
const services: RunningService[] = [];
const outputs: string[] = [];

async function startRedis(args: string[]): Promise<void> {
  servers.push(await startRedisServer(['redis-server', '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', ...args], dir));
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const proc = spawn(cmd, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env } });
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, output })));
}

let aclUrl = '';
let tlsUrl = '';
const ca = join(dir, 'cert.pem');

beforeAll(async () => {
  buildPackages('shared/reporter');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', ca, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  const [aclPort, tlsPort] = [await freePort(), await freePort()];
  await startRedis(['--port', String(aclPort), '--user', 'default', 'off', '--user', 'pp', 'on', `>${PASSWORD}`, '~*', '&*', '+@all']);
  await startRedis([
    '--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', ca, '--tls-key-file', join(dir, 'key.pem'), '--tls-ca-cert-file', ca,
    '--tls-auth-clients', 'no', '--requirepass', TLS_PASSWORD,
  ]);
  aclUrl = `redis://pp:${PASSWORD}@127.0.0.1:${aclPort}`;
  tlsUrl = `rediss://:${TLS_PASSWORD}@127.0.0.1:${tlsPort}`;
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(services.map((service) => service.stop()));
  for (const proc of servers) proc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

async function stackOn(url: string, name: string): Promise<{ api: string; stream: string }> {
  const stream = randomStream(`e2e-${name}`);
  const port = await freePort();
  // NODE_EXTRA_CA_CERTS / SSL_CERT_FILE trust the test's self-signed CA, as a real deployment trusts its own.
  const env = { REDIS_URL: url, RESULTS_STREAM: stream, DATABASE_URL: join(dir, `${name}.sqlite`), NODE_EXTRA_CA_CERTS: ca, INGEST_BLOCK_MS: '200' };
  services.push(await startService('ingest', env));
  services.push(await startService('api', { ...env, API_PORT: String(port) }));
  return { api: `http://127.0.0.1:${port}`, stream };
}

async function projectRuns(api: string, project: string, count: number): Promise<unknown[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const body = (await (await fetch(`${api}/results?project=${project}`)).json()) as { items: unknown[] };
    if (body.items.length >= count || Date.now() > deadline) return body.items;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Redis with an ACL user and password', () => {
  it('ingest, POST /results, the Node reporter CLI and the pytest plugin all work from the URL; the password is never printed', async () => {
    const { api, stream } = await stackOn(aclUrl, 'acl');
    const posted = await fetch(`${api}/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(makeRun({ project: 'acl-http' })) });
    expect(posted.status).toBe(202);
    expect(await projectRuns(api, 'acl-http', 1)).toHaveLength(1);

    const junit = join(dir, 'report.xml');
    writeFileSync(junit, '<testsuite name="s" tests="1"><testcase classname="c" name="t" time="0.1"/></testsuite>');
    const cli = await run(process.execPath, ['shared/reporter/bin/pytest-platform.js', 'import', junit, '--project', 'acl-node'], { REDIS_URL: aclUrl, RESULTS_STREAM: stream });
    outputs.push(cli.output);
    expect(cli.code, cli.output).toBe(0);
    expect(await projectRuns(api, 'acl-node', 1)).toHaveLength(1);

    const pytest = await run(python, ['-m', 'pytest', 'shared/pytest-plugin/tests/fixtures/suite', '-p', 'no:cacheprovider', '-q'], {
      REDIS_URL: aclUrl, RESULTS_STREAM: stream, PROJECT: 'acl-pytest', BRANCH: 'main', FLAKY_STATE_FILE: join(dir, 'flaky'), PYTEST_PLATFORM_SPOOL_DIR: join(dir, 'spool'),
    });
    outputs.push(pytest.output);
    expect(pytest.output).not.toMatch(/spool|could not/i);
    expect(await projectRuns(api, 'acl-pytest', 1)).toHaveLength(1);

    // A wrong password: the services say so, without echoing the URL's secret.
    const wrong = aclUrl.replace(PASSWORD, `${PASSWORD}-wrong`);
    const failed = await run(process.execPath, ['shared/reporter/bin/pytest-platform.js', 'import', junit, '--project', 'acl-wrong'], { REDIS_URL: wrong, RESULTS_STREAM: stream, PYTEST_PLATFORM_SPOOL_DIR: join(dir, 'spool-wrong') });
    outputs.push(failed.output);
    expect(failed.output).not.toContain(PASSWORD);
  });
});

describe('Redis over TLS (rediss://) with a password', () => {
  it('ingest and the API work over TLS, and the Node reporter CLI sends over it', async () => {
    const { api, stream } = await stackOn(tlsUrl, 'tls');
    const posted = await fetch(`${api}/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(makeRun({ project: 'tls-http' })) });
    expect(posted.status).toBe(202);
    expect(await projectRuns(api, 'tls-http', 1)).toHaveLength(1);
    const health = (await (await fetch(`${api}/health`)).json()) as { redis: { ok: boolean } };
    expect(health.redis.ok).toBe(true);

    const junit = join(dir, 'report-tls.xml');
    writeFileSync(junit, '<testsuite name="s" tests="1"><testcase classname="c" name="t" time="0.1"/></testsuite>');
    const cli = await run(process.execPath, ['shared/reporter/bin/pytest-platform.js', 'import', junit, '--project', 'tls-node'], { REDIS_URL: tlsUrl, RESULTS_STREAM: stream, NODE_EXTRA_CA_CERTS: ca });
    outputs.push(cli.output);
    expect(cli.code, cli.output).toBe(0);
    expect(await projectRuns(api, 'tls-node', 1)).toHaveLength(1);
  });

  it('no password appears in any service or client output', () => {
    const all = [...services.map((service) => service.output()), ...outputs].join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(TLS_PASSWORD);
  });
});
