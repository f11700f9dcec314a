import path from 'node:path';
import type { RunResult } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REDIS_URL, buildPackage, fixturesDir, newRedis, randomStream, readOneRun, repoRoot, run, tempDir } from './helpers.js';

const redis = newRedis();
const streams: string[] = [];

beforeAll(() => buildPackage());
afterAll(async () => {
  if (streams.length > 0) await redis.del(...streams);
  redis.disconnect();
});

async function runRunner(dir: string, command: string, args: string[]): Promise<{ run: RunResult; output: string }> {
  const stream = randomStream();
  streams.push(stream);
  const result = await run(command, args, {
    cwd: path.join(fixturesDir, dir),
    env: { REDIS_URL, RESULTS_STREAM: stream, PROJECT: 'reporter-fixtures', PYTEST_PLATFORM_SPOOL_DIR: await tempDir(), CI: '1' },
    timeoutMs: 90_000,
  });
  const output = result.stdout + result.stderr;
  expect(result.code, output).not.toBe(0);
  return { run: await readOneRun(redis, stream), output };
}

const byName = (run: RunResult) => new Map(run.tests.map((test) => [test.nodeid, test]));

describe.concurrent('runner reporters against real runners', () => {
  test('vitest', async () => {
    const { run: result } = await runRunner('vitest', process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.mjs']);
    expect(result.framework).toBe('vitest');
    expect(result.framework_version).toMatch(/^4\./);
    expect(result.project).toBe('reporter-fixtures');
    expect(result.status).toBe('failed');
    expect(result.summary).toEqual({ total: 5, passed: 2, failed: 1, skipped: 2, errors: 0, xfailed: 0, xpassed: 0, flaky: 1 });
    const tests = byName(result);
    expect(tests.get('sample.spec.ts::math::adds')).toMatchObject({ outcome: 'passed', attempts: 1, file: 'sample.spec.ts', line: 6 });
    expect(tests.get('sample.spec.ts::math::fails')).toMatchObject({ outcome: 'failed', attempts: 1, message: 'expected 2 to be 3 // Object.is equality' });
    expect(tests.get('sample.spec.ts::math::skipped')?.outcome).toBe('skipped');
    expect(tests.get('sample.spec.ts::math::todo later')).toMatchObject({ outcome: 'skipped', message: 'todo' });
    expect(tests.get('sample.spec.ts::math::nested::passes on retry')).toMatchObject({ outcome: 'passed', attempts: 2 });
  });

  test('jest', async () => {
    const { run: result } = await runRunner('jest', process.execPath, [path.join(repoRoot, 'node_modules/jest/bin/jest.js'), '--config', 'jest.config.cjs']);
    expect(result.framework).toBe('jest');
    expect(result.framework_version).toMatch(/^30\./);
    expect(result.summary).toEqual({ total: 5, passed: 2, failed: 1, skipped: 2, errors: 0, xfailed: 0, xpassed: 0, flaky: 1 });
    const tests = byName(result);
    expect(tests.get('sample.spec.cjs::math::adds')).toMatchObject({ outcome: 'passed', attempts: 1 });
    // jest.retryTimes(2): a test failing every time runs three times.
    expect(tests.get('sample.spec.cjs::math::fails')).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(tests.get('sample.spec.cjs::math::fails')?.message).toContain('toBe');
    expect(tests.get('sample.spec.cjs::math::skipped')?.outcome).toBe('skipped');
    expect(tests.get('sample.spec.cjs::math::todo later')).toMatchObject({ outcome: 'skipped', message: 'todo' });
    expect(tests.get('sample.spec.cjs::math::nested::passes on retry')).toMatchObject({ outcome: 'passed', attempts: 2 });
  });

  test('node:test', async () => {
    const { run: result } = await runRunner('node-test', process.execPath, [
      '--test',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=@pytest-platform/reporter/node-test', '--test-reporter-destination=stderr',
      'sample.test.mjs',
    ]);
    expect(result.framework).toBe('node:test');
    expect(result.summary).toEqual({ total: 5, passed: 2, failed: 1, skipped: 2, errors: 0, xfailed: 0, xpassed: 0, flaky: 0 });
    const tests = byName(result);
    expect(tests.get('sample.test.mjs::math::adds')).toMatchObject({ outcome: 'passed', attempts: 1, line: 5 });
    expect(tests.get('sample.test.mjs::math::fails')).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(tests.get('sample.test.mjs::math::fails')?.message).toContain('strictly equal');
    expect(tests.get('sample.test.mjs::math::skipped')).toMatchObject({ outcome: 'skipped', message: 'not today' });
    expect(tests.get('sample.test.mjs::math::todo later')?.outcome).toBe('skipped');
    expect(tests.get('sample.test.mjs::math::nested::deep')?.outcome).toBe('passed');
  });

  test('playwright against Debian Chromium', async () => {
    const { run: result } = await runRunner('playwright', process.execPath, [
      path.join(repoRoot, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'playwright.config.mjs',
    ]);
    expect(result.framework).toBe('playwright');
    expect(result.framework_version).toMatch(/^1\./);
    expect(result.summary).toEqual({ total: 4, passed: 2, failed: 1, skipped: 1, errors: 0, xfailed: 0, xpassed: 0, flaky: 1 });
    const tests = byName(result);
    expect(tests.get('sample.spec.mjs::page::has a heading[chromium]')).toMatchObject({ outcome: 'passed', attempts: 1 });
    expect(tests.get('sample.spec.mjs::page::fails[chromium]')).toMatchObject({ outcome: 'failed', attempts: 2 });
    expect(tests.get('sample.spec.mjs::page::skipped[chromium]')).toMatchObject({ outcome: 'skipped', message: 'not today' });
    expect(tests.get('sample.spec.mjs::page::passes on retry[chromium]')).toMatchObject({ outcome: 'passed', attempts: 2 });
  });
});
