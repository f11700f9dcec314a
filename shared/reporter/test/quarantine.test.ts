import path from 'node:path';
import { redisKeyFor } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REDIS_URL, buildPackage, cliPath, fixturesDir, newRedis, randomStream, readOneRun, repoRoot, run, tempDir } from './helpers.js';

// `pytest-platform run --quarantine -- vitest run`: a real vitest writing JUnit, the quarantine list in a real Redis.
const redis = newRedis();
const streams: string[] = [];
const cwd = path.join(fixturesDir, 'vitest-junit');
const vitest = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');
const QUARANTINED = 'cart.spec.ts::cart > total <rounds> "up"';
const OTHER = 'checkout.spec.ts::pays';

beforeAll(() => buildPackage(), 120_000);
afterAll(async () => {
  for (const stream of streams) await redis.del(stream, redisKeyFor('quarantine', stream, 'shop'));
  redis.disconnect();
});

async function quarantine(stream: string, ...nodeids: string[]) {
  const tests = nodeids.map((nodeid) => ({ nodeid, reason: 'flips on main', since: '2026-11-20T08:00:00.000Z', expires_at: null, by: 'api' }));
  await redis.set(redisKeyFor('quarantine', stream, 'shop'), JSON.stringify({ project: 'shop', updated_at: new Date().toISOString(), tests }));
}

/** `pytest-platform run [flags] --junit <report> -- vitest run <files>` in the fixture directory. */
async function runVitest(flags: string[], files: string[], env: Record<string, string> = {}) {
  const stream = randomStream();
  streams.push(stream);
  const report = path.join(await tempDir(), 'report.xml');
  const result = await run(process.execPath, [cliPath, 'run', ...flags, '--junit', report, '--', process.execPath, vitest, 'run', '--config', 'vitest.config.mjs', ...files], {
    cwd,
    env: { REDIS_URL, RESULTS_STREAM: stream, PROJECT: 'shop', JUNIT_FILE: report, PYTEST_PLATFORM_SPOOL_DIR: await tempDir(), ...env },
    timeoutMs: 90_000,
  });
  return { ...result, stream };
}

const platformLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('pytest-platform: '));

describe('pytest-platform run --quarantine -- vitest run', () => {
  test('the only failure quarantined: exit 0; the run carries it failed and quarantined, and passed', async () => {
    const stream = randomStream();
    streams.push(stream);
    await quarantine(stream, QUARANTINED);
    const result = await runVitest(['--quarantine'], ['cart.spec.ts'], { RESULTS_STREAM: stream });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const sent = await readOneRun(redis, stream);
    const failing = sent.tests.find((t) => t.nodeid === QUARANTINED);
    expect(failing).toMatchObject({ outcome: 'failed', quarantined: true });
    expect(sent.tests.filter((t) => t.quarantined)).toHaveLength(1);
    expect(sent.status).toBe('passed');
    expect(platformLines(result.stderr)).toEqual([
      expect.stringMatching(/^pytest-platform: run import-\S+ · 1 failed, 1 passed, 0 skipped$/),
      'pytest-platform: run: 1 quarantined failure ignored: exit 0 instead of 1',
      `pytest-platform: QUARANTINED ${QUARANTINED} - flips on main`,
    ]);
  });

  test('a second failure that is not quarantined: the command\'s own exit code, the quarantined one still marked', async () => {
    const stream = randomStream();
    streams.push(stream);
    await quarantine(stream, QUARANTINED);
    const result = await runVitest(['--quarantine'], [], { RESULTS_STREAM: stream });
    expect(result.code).toBe(1);
    const sent = await readOneRun(redis, stream);
    expect(sent.tests.find((t) => t.nodeid === QUARANTINED)?.quarantined).toBe(true);
    expect(sent.tests.find((t) => t.nodeid === OTHER)).toMatchObject({ outcome: 'failed' });
    expect(sent.tests.find((t) => t.nodeid === OTHER)?.quarantined).toBeUndefined();
    expect(sent.status).toBe('failed');
    expect(platformLines(result.stderr)).toContain('pytest-platform: run: 1 quarantined failure ignored, 1 other failure: exit 1');
  });

  test('without --quarantine the list changes nothing', async () => {
    const stream = randomStream();
    streams.push(stream);
    await quarantine(stream, QUARANTINED);
    const result = await runVitest([], ['cart.spec.ts'], { RESULTS_STREAM: stream });
    expect(result.code).toBe(1);
    expect((await readOneRun(redis, stream)).tests.some((t) => t.quarantined)).toBe(false);
  });

  test('Redis unreachable: the flag changes nothing but one warning line', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:1' };
    const plain = await runVitest([], ['cart.spec.ts'], env);
    const flagged = await runVitest(['--quarantine'], ['cart.spec.ts'], env);
    expect(flagged.code).toBe(plain.code);
    expect(plain.code).toBe(1);
    const strip = (lines: string[]) => lines.filter((line) => !line.startsWith('pytest-platform: run '));
    expect(strip(platformLines(plain.stderr))).toEqual([]);
    expect(strip(platformLines(flagged.stderr))).toEqual([
      expect.stringMatching(/^pytest-platform: could not read the quarantine list from Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\): no test is quarantined$/),
    ]);
  });
});
