import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REDIS_URL, buildPackage, cliPath, fixturesDir, newRedis, randomStream, readEntries, readOneRun, reportsDir, run, tempDir } from './helpers.js';

const redis = newRedis();
const streams: string[] = [];

beforeAll(() => buildPackage());
afterAll(async () => {
  if (streams.length > 0) await redis.del(...streams);
  redis.disconnect();
});

async function cli(args: string[], env: Record<string, string> = {}, cwd = reportsDir) {
  const stream = randomStream();
  streams.push(stream);
  const spoolDir = env.PYTEST_PLATFORM_SPOOL_DIR ?? (await tempDir());
  const result = await run(process.execPath, [cliPath, ...args], {
    cwd,
    env: { REDIS_URL, RESULTS_STREAM: stream, PYTEST_PLATFORM_SPOOL_DIR: spoolDir, PROJECT: 'cli', ...env },
  });
  return { ...result, stream, spoolDir };
}

describe('pytest-platform CLI', () => {
  test('--help', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pytest-platform <command>');
  });

  test('import over globs: every good file becomes one run on the stream, exit 0', async () => {
    const result = await cli(['import', 'junit/gradle/*.xml', 'ctrf/spec-examples/*.json', '--branch', 'feature', '--worker-id', 'laptop']);
    expect(result.code, result.stderr).toBe(0);
    const entries = await readEntries(redis, result.stream);
    expect(entries).toHaveLength(5);
    for (const entry of entries) expect(entry.data).toMatchObject({ project: 'cli', branch: 'feature', worker_id: 'laptop' });
    expect(result.stderr).toContain('5 run(s) sent');
  });

  test('a rejected file: one line naming it and why, the others still go in, exit 1', async () => {
    const result = await cli(['import', 'junit/malformed/*.xml', 'junit/maven-surefire/*.xml', 'missing-*.xml']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n').filter((line) => line.includes('rejected:'));
    expect(lines).toHaveLength(5);
    expect(lines.some((line) => line.includes('enricomi__empty.xml: rejected: empty file'))).toBe(true);
    expect(lines.some((line) => line.includes('jenkins__testXxe-xxe.xml: rejected: DOCTYPE declares an external entity'))).toBe(true);
    expect(lines.some((line) => line.includes('missing-*.xml: rejected: no such file'))).toBe(true);
    expect(await readEntries(redis, result.stream)).toHaveLength(3);
  });

  test('--strict rejects CTRF that is not 1.0; --dry-run prints instead of sending', async () => {
    const strict = await cli(['import', '--strict', '--dry-run', 'ctrf/jest/*.json', 'ctrf/spec-examples/ctrf-spec__with-retries.json']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/jest-ctrf-json-reporter__selftest-2023\.json: rejected: not valid CTRF 1\.0/);
    const printed = strict.stdout.trim().split('\n').map((line) => JSON.parse(line) as { framework: string; summary: { flaky: number } });
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatchObject({ framework: 'example-runner', summary: { flaky: 1 } });
    expect(await readEntries(redis, strict.stream)).toHaveLength(0);
  });

  test('a progress line for many files', async () => {
    const result = await cli(['import', '--dry-run', 'junit/**/*.xml']);
    expect(result.stderr).toMatch(/pytest-platform: 20\/\d+ files read/);
  });

  test('run -- python3 -m pytest: output streamed, exit code passed through, one run sent', async () => {
    const result = await cli(['run', '--', 'python3', '-m', 'pytest', '-p', 'no:cacheprovider', 'test_sample.py'], {}, path.join(fixturesDir, 'pytest'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('1 failed, 1 passed, 1 skipped');
    const runResult = await readOneRun(redis, result.stream);
    expect(runResult.framework).toBe('pytest');
    expect(runResult.summary).toMatchObject({ total: 3, passed: 1, failed: 1, skipped: 1 });
    expect(runResult.tests.find((t) => t.outcome === 'skipped')?.message).toContain('not today');
  });

  test('run with --junit for any command, exit code 0 passed through', async () => {
    const junit = path.join(reportsDir, 'junit/gradle/gmazzo__TEST-FlakyTestSuite-test-retry.xml');
    const result = await cli(['run', '--junit', junit, '--', 'node', '-e', 'process.exit(0)']);
    expect(result.code).toBe(0);
    const runResult = await readOneRun(redis, result.stream);
    expect(runResult.summary?.flaky).toBe(1);
  });

  test('Redis down: the run is spooled; flush sends it exactly once', async () => {
    const spoolDir = await tempDir();
    const down = await cli(['import', 'junit/gradle/gmazzo__TEST-SampleTestSuite.xml'], { REDIS_URL: 'redis://127.0.0.1:1', PYTEST_PLATFORM_SPOOL_DIR: spoolDir });
    expect(down.code).toBe(0);
    expect(down.stderr.split('\n').filter((line) => line.includes('Redis unavailable'))).toHaveLength(1);
    expect((await readdir(spoolDir)).filter((f) => /^\d+-.+\.json$/.test(f))).toHaveLength(1);

    const failedFlush = await cli(['flush'], { REDIS_URL: 'redis://127.0.0.1:1', PYTEST_PLATFORM_SPOOL_DIR: spoolDir });
    expect(failedFlush.code).toBe(1);

    const flush = await cli(['flush'], { PYTEST_PLATFORM_SPOOL_DIR: spoolDir });
    expect(flush.code).toBe(0);
    expect(flush.stdout).toContain('1 spooled run(s) sent');
    const runResult = await readOneRun(redis, flush.stream);
    expect(runResult.summary?.total).toBe(4);
    expect(await readdir(spoolDir)).toEqual([]);

    const again = await cli(['flush'], { PYTEST_PLATFORM_SPOOL_DIR: spoolDir });
    expect(again.stdout).toContain('0 spooled run(s) sent');
    expect(await readEntries(redis, again.stream)).toHaveLength(0);
  });
});
