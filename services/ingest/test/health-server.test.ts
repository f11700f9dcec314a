import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import { freePort, repoRoot } from '../../../test-support/services.js';
import { deleteStreams, redisClient, tempDir, testEnv, waitFor } from './helpers.js';

const children: ChildProcess[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stop(child, 'SIGKILL')));
  for (const dir of dirs.splice(0)) dir.cleanup();
});

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  return exited;
}

/** Starts ingest from source; unlike `startService` it does not wait for "ready", which a dead Redis never lets it reach. */
function startIngest(env: Record<string, string>): { output: () => string } {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@pytest-platform/source', 'services/ingest/src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  children.push(proc);
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  onTestFailed(() => console.error(`ingest output:\n${output}`));
  return { output: () => output };
}

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  children.push(proc);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
  return proc;
}

async function probe(url: string): Promise<{ status: number; body: Record<string, unknown> } | null> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return null;
  }
}

describe('ingest probes', () => {
  it('/livez answers 200 while Redis is unreachable and /health answers 503, until Redis comes up and after it goes down', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const [redisPort, healthPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${healthPort}`;
    startIngest(testEnv(dir.dbPath, { REDIS_URL: `redis://127.0.0.1:${redisPort}`, INGEST_HEALTH_PORT: String(healthPort), INGEST_HEALTH_HOST: '127.0.0.1', LOG_LEVEL: 'info' }));

    await waitFor('the health port', async () => (await probe(`${base}/livez`))?.status === 200, 30_000);
    expect(await probe(`${base}/livez`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(`${base}/health`)).toMatchObject({ status: 503, body: { status: 'unavailable', reason: expect.stringMatching(/starting/) } });

    const redis = await startRedis(redisPort);
    await waitFor('ready once Redis answers', async () => (await probe(`${base}/health`))?.status === 200, 30_000);
    expect(await probe(`${base}/health`)).toMatchObject({ status: 200, body: { status: 'ok', consumer: expect.any(String) } });

    await stop(redis, 'SIGKILL');
    await waitFor('not ready once Redis is gone', async () => (await probe(`${base}/health`))?.status === 503, 10_000);
    expect(await probe(`${base}/health`)).toMatchObject({ status: 503, body: { status: 'unavailable', reason: expect.any(String) } });
    expect(await probe(`${base}/livez`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await probe(`${base}/other`))?.status).toBe(404);
  });

  it('binds the health port to 127.0.0.1 unless INGEST_HEALTH_HOST says otherwise', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const healthPort = await freePort();
    const env = testEnv(dir.dbPath, { INGEST_HEALTH_PORT: String(healthPort), LOG_LEVEL: 'info' });
    onTestFinished(async () => {
      const redis = redisClient();
      await deleteStreams(redis, env.RESULTS_STREAM!);
      await redis.quit();
    });
    const ingest = startIngest(env);
    await waitFor('ready', () => ingest.output().includes('"msg":"ready"'), 30_000);
    expect(ingest.output()).toContain(`"livez":"http://127.0.0.1:${healthPort}/livez"`);
    expect((await probe(`http://127.0.0.1:${healthPort}/health`))?.status).toBe(200);
    const external = Object.values(networkInterfaces()).flat().find((address) => address && !address.internal && address.family === 'IPv4');
    if (external) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect(healthPort, external.address);
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome).toBe('ECONNREFUSED');
    }
  });
});
