import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRunWriter, openDatabase } from '@pytest-platform/db';
import { RunResultSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPackages } from '../../../test-support/build.js';
import { makeRun } from '../../../test-support/runs.js';
import { repoRoot } from '../../../test-support/services.js';
import { tempDir } from './helpers.js';

const adminBin = path.join(repoRoot, 'services/ingest/bin/pytest-platform-admin.js');
const dirs: ReturnType<typeof tempDir>[] = [];

beforeAll(() => buildPackages('services/ingest'), 120_000);
afterAll(() => dirs.forEach((dir) => dir.cleanup()));

/** Runs the built `pytest-platform-admin` bin with exactly `env` plus PATH. */
function admin(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [adminBin, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function newDir(): string {
  const made = tempDir();
  dirs.push(made);
  return made.dir;
}

const tests = Array.from({ length: 50 }, (_, i) => ({ nodeid: `tests/test_b.py::test_${i}`, outcome: 'passed' as const, longrepr: 'x'.repeat(500) }));

describe('pytest-platform-admin backup <file>', () => {
  test('copies a live SQLite database while it is being written; the copy is complete and consistent', async () => {
    const dir = newDir();
    const source = path.join(dir, 'live.sqlite');
    const store = await openDatabase(source);
    if (store.dialect !== 'sqlite') throw new Error('sqlite');
    const writer = createRunWriter(store);
    const write = async (count: number) => {
      for (let i = 0; i < count; i++) await writer.write([{ type: 'run', data: RunResultSchema.parse(makeRun({ tests })) }], Date.now());
    };
    await write(300);
    // Keep writing while the backup runs in another process.
    let writeError: unknown;
    const writing = setInterval(() => void write(5).catch((error: unknown) => (writeError ??= error)), 5);
    const destination = path.join(dir, 'copy.sqlite');
    const result = await admin(['backup', destination], dir, { DATABASE_URL: source });
    clearInterval(writing);
    expect(writeError).toBeUndefined();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^backed up .*live\.sqlite to .*copy\.sqlite \(\d+ pages\)/);
    expect(existsSync(`${destination}.partial`)).toBe(false);

    const copy = await openDatabase(destination, { readonly: true });
    if (copy.dialect !== 'sqlite') throw new Error('sqlite');
    try {
      expect(copy.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      const runs = (copy.sqlite.prepare('select count(*) as n from runs').get() as { n: number }).n;
      const results = (copy.sqlite.prepare('select count(*) as n from results').get() as { n: number }).n;
      expect(runs).toBeGreaterThanOrEqual(300);
      expect(results).toBe(runs * 50);
    } finally {
      await copy.close();
      await store.close();
    }
  });

  test('refuses Postgres, a missing database and the database itself as destination, exit 1 with the reason', async () => {
    const dir = newDir();
    const self = path.join(dir, 'self.sqlite');
    await (await openDatabase(self)).close();
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ DATABASE_URL: self }, self, /must not be the database itself/],
      [{ DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/x' }, 'out.sqlite', /pg_dump/],
      [{ DATABASE_URL: path.join(dir, 'missing.sqlite') }, 'out.sqlite', /no SQLite database/],
    ];
    for (const [env, file, reason] of cases) {
      const result = await admin(['backup', file], dir, env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(reason);
      expect(result.stderr).not.toContain('secret');
    }
    const usage = await admin(['backup'], dir, {});
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('name one destination file');
  });

  test('--help names the command with an example; an unknown command is a usage error', async () => {
    const dir = newDir();
    const help = await admin(['--help'], dir, {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('backup <file>');
    expect(help.stdout).toContain('npm run admin -- backup backup.sqlite');
    const unknown = await admin(['restore', 'x'], dir, {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "restore"');
  });
});
