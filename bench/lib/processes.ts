import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, repoRoot, waitUntilReady } from '../../test-support/services.js';

export { freePort, repoRoot };

export interface Service {
  proc: ChildProcess;
  /** Peak resident memory so far (VmHWM), in MB. */
  peakRssMb(): number;
  /** Resident memory now, in MB: anonymous (heap, SQLite's cache) and file-backed (the binary, mapped files). */
  rssNowMb(): { anon: number; file: number };
  stop(): Promise<void>;
}

/** One `/proc/<pid>/status` figure in MB; NaN once the process is gone. */
function statusMb(proc: ChildProcess, field: 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Node flags per service, as docker-compose.yml and `npm start` run them. */
const NODE_FLAGS = JSON.parse(readFileSync(join(repoRoot, 'deploy/node-flags.json'), 'utf8')) as Record<'ingest' | 'api' | 'mcp', string[]>;

/** Starts a built service (`services/<name>/dist/main.js`) as production runs it and waits for its `"msg":"ready"` line. */
export async function startBuiltService(name: 'ingest' | 'api' | 'mcp', env: Record<string, string>): Promise<Service> {
  const proc = spawn(process.execPath, [...NODE_FLAGS[name], `services/${name}/dist/main.js`], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitUntilReady(proc, name, 60_000);
  return {
    proc,
    peakRssMb: () => statusMb(proc, 'VmHWM'),
    rssNowMb: () => ({ anon: statusMb(proc, 'RssAnon'), file: statusMb(proc, 'RssFile') }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 20_000).unref();
      }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
