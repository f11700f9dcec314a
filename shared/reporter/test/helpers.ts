import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEntry } from '@pytest-platform/schema';
import type { StreamEntry } from '@pytest-platform/schema';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import type { ReporterConfig } from '../src/index.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = path.resolve(packageDir, '../..');
export const fixturesDir = path.join(packageDir, 'test', 'fixtures');
export const reportsDir = path.resolve(repoRoot, 'test-support/fixtures/reports');
export const cliPath = path.join(packageDir, 'bin', 'pytest-platform.js');

export const randomStream = () => `test:${randomUUID()}`;
export const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'reporter-test-'));

/** Builds `dist/` (type-checked, then bundled as it ships), which runners and the CLI load the package from. */
export function buildPackage(): void {
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', packageDir], { cwd: repoRoot, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(packageDir, 'scripts/bundle.js'), '--no-types'], { cwd: repoRoot, stdio: 'inherit' });
}

/** Every entry on `stream`, validated with the schema's `parseEntry`; fails on an invalid one. */
export async function readEntries(redis: Redis, stream: string): Promise<StreamEntry[]> {
  const raw = await redis.xrange(stream, '-', '+');
  return raw.map(([id, fields]) => {
    const map = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
    if (map.size !== 2) throw new Error(`entry ${id} has fields ${[...map.keys()].join(', ')}; expected type and data`);
    const parsed = parseEntry(map.get('type'), map.get('data'));
    if (!parsed.ok) throw new Error(`entry ${id} is invalid: ${parsed.reason}`);
    return parsed.entry;
  });
}

/** The only `run` entry on the stream. */
export async function readOneRun(redis: Redis, stream: string) {
  const entries = await readEntries(redis, stream);
  if (entries.length !== 1 || entries[0]?.type !== 'run') throw new Error(`expected one run entry, got ${entries.map((e) => e.type).join(', ') || 'none'}`);
  return entries[0].data;
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a real process with exactly `env` plus PATH and HOME. */
export function run(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export const newRedis = () => new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });

/**
 * A Redis client for a test file and a reporter configuration on a fresh stream per call (quiet,
 * not live, a temp spool); the streams are deleted and the client closed after the file.
 */
export function streamsForThisFile(): { redis: Redis; config(overrides?: Partial<ReporterConfig>): Promise<ReporterConfig> } {
  const redis = newRedis();
  const streams: string[] = [];
  afterAll(async () => {
    if (streams.length > 0) await redis.del(...streams);
    redis.disconnect();
  });
  return {
    redis,
    async config(overrides = {}) {
      const stream = randomStream();
      streams.push(stream);
      return {
        enabled: true, redisUrl: REDIS_URL, stream, spoolDir: await tempDir(), stopTimeoutMs: 10_000, live: false,
        publicUrl: null, quiet: true, stepSummaryFile: null, ...overrides,
      };
    },
  };
}
