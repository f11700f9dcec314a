import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type ServiceName = 'ingest' | 'api' | 'mcp';

export interface RunningService {
  proc: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code once it exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * What a test's service gets unless `env` says otherwise: ingest keeps the test runner's CPU
 * priority (`INGEST_NICE=0`) instead of lowering it to 10, so that a busy runner on a 2-core machine
 * cannot starve it while a test waits for it (the process test checks the setting itself).
 */
const TEST_DEFAULTS: Partial<Record<ServiceName, Record<string, string>>> = { ingest: { INGEST_NICE: '0' } };

/**
 * Starts a service from its TypeScript source as a real process (tsx, no build needed) and waits
 * until it logs `"msg":"ready"`. The environment is exactly `env` plus PATH/HOME (and {@link TEST_DEFAULTS}).
 */
export async function startService(name: ServiceName, env: Record<string, string>, args: string[] = []): Promise<RunningService> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@pytest-platform/source', `services/${name}/src/main.ts`, ...args],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...TEST_DEFAULTS[name], ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const { output, exited } = await waitUntilReady(proc, name);
  return {
    proc,
    output,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Collects a service process's stdout and stderr and resolves once it logs `"msg":"ready"`;
 * rejects with everything it printed when it exits first or takes longer than `timeoutMs`.
 */
export async function waitUntilReady(
  proc: ChildProcess,
  name: string,
  timeoutMs = 30_000,
): Promise<{ output(): string; exited: Promise<number | null> }> {
  let output = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready in ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    let ready = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Searched only until ready: searching all of a service's request log on every chunk would
      // cost its reader (the test, or the bench's load generator) more and more.
      if (!ready && output.includes('"msg":"ready"')) {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return { output: () => output, exited };
}
