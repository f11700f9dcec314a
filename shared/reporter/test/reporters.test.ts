import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REDIS_URL, buildPackage, fixturesDir, newRedis, randomStream, readOneRun, repoRoot, run, tempDir } from './helpers.js';

const redis = newRedis();
const streams: string[] = [];
const RUNNER_TIMEOUT_MS = 120_000;
const PUBLIC_URL = 'https://tests.example.test';
/** Nothing listens on port 1: a `REDIS_URL` the application under test might have set for its own Redis. */
const DEAD_REDIS = 'redis://127.0.0.1:1';
const COMMIT = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const github = {
  GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_SHA: COMMIT,
  GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '2', GITHUB_SERVER_URL: 'https://github.com', RUNNER_NAME: 'runner-7',
};
const gitlab = { GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/shop', CI_COMMIT_BRANCH: 'main', CI_PIPELINE_ID: '77', CI_NODE_INDEX: '3', CI_NODE_TOTAL: '3' };

beforeAll(() => buildPackage());
afterAll(async () => {
  if (streams.length > 0) await redis.del(...streams);
  redis.disconnect();
});

interface RunnerRun {
  code: number;
  output: string;
  stderr: string;
  stream: string;
  spoolDir: string;
  summaryFile: string;
}

/**
 * Runs a real runner over a fixture suite with exactly `env`, plus a fresh stream, spool directory
 * and `GITHUB_STEP_SUMMARY` file (holding `summary` when given, else not there).
 */
async function runRunner(dir: string, args: string[], env: Record<string, string>, summary?: string): Promise<RunnerRun> {
  const stream = randomStream();
  streams.push(stream);
  const work = await tempDir();
  const spoolDir = path.join(work, 'spool');
  const summaryFile = path.join(work, 'step-summary.md');
  if (summary !== undefined) await writeFile(summaryFile, summary);
  const result = await run(process.execPath, args, {
    cwd: path.join(fixturesDir, dir),
    env: { RESULTS_STREAM: stream, PYTEST_PLATFORM_SPOOL_DIR: spoolDir, CI: '1', NO_COLOR: '1', PLAYWRIGHT_OUTPUT_DIR: path.join(work, 'playwright'), ...env, GITHUB_STEP_SUMMARY: summaryFile },
    timeoutMs: RUNNER_TIMEOUT_MS - 10_000,
  });
  return { code: result.code, output: result.stdout + result.stderr, stderr: result.stderr, stream, spoolDir, summaryFile };
}

const spooled = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).filter((file) => !file.startsWith('.'));
const ourLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('pytest-platform:'));
const byName = (result: RunResult) => new Map(result.tests.map((t) => [t.nodeid, t]));

/**
 * The end line on stderr matches the format with the public url, and its counts are the
 * run's on the stream.
 */
function expectEndLine(stderr: string, result: RunResult): void {
  expect(ourLines(stderr), stderr).toHaveLength(1);
  const match = /^pytest-platform: run (\S+) · (\d+) failed, (\d+) passed, (\d+) skipped → https:\/\/tests\.example\.test\/runs\/\1$/m.exec(stderr);
  expect(match, stderr).not.toBeNull();
  const [, runId, failed, passed, skipped] = match ?? [];
  expect(runId).toBe(result.run_id);
  const summary = result.summary!;
  expect([Number(failed), Number(passed), Number(skipped)]).toEqual([summary.failed + summary.errors, summary.passed, summary.skipped]);
}

/** The step summary keeps what was there and gains the run's Markdown, the odd test name escaped. */
async function expectStepSummary(file: string, result: RunResult, runner: Runner): Promise<void> {
  const markdown = await readFile(file, 'utf8');
  const summary = result.summary!;
  expect(markdown).toMatch(/^## an earlier step\n\n### ❌ acme\/shop: /);
  expect(markdown).toContain(`### ❌ acme/shop: ${summary.failed + summary.errors} failed, ${summary.passed} passed, ${summary.skipped} skipped\n\n`);
  expect(markdown).toContain(`Run [${result.run_id}](${PUBLIC_URL}/runs/${result.run_id}) · branch main · commit ${COMMIT.slice(0, 12)} · ${result.framework.replace(/[_*]/g, '\\$&')}\n`);
  expect(markdown).toContain('\n| Failed test | Message |\n| --- | --- |\n');
  expect(markdown).toContain(runner.failedMessage === undefined ? `\n| ${runner.failedNodeid} | ` : `\n| ${runner.failedNodeid} | ${runner.failedMessage} |\n`);
}

interface Runner {
  name: string;
  dir: string;
  /** The runner's command line, `extra` added where the runner takes options. */
  args: (extra?: string[]) => string[];
  /** Asks the runner itself for shard 1 of 2. */
  shardArgs: string[];
  /** Only the passing tests, for the runs that check something else. */
  quickArgs: string[];
  /** The failing test's node id in the step summary: `|`, `<`, `>`, `[`, `]` and backticks escaped. */
  failedNodeid: string;
  /** Its message there, when the runner's message is stable enough to spell out. */
  failedMessage?: string;
}

const runners: Runner[] = [
  {
    name: 'vitest',
    dir: 'vitest',
    args: (extra = []) => [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.mjs', ...extra],
    shardArgs: ['--shard=1/2'],
    quickArgs: ['-t', 'adds'],
    failedNodeid: 'sample.spec.ts::math::fails \\| &lt;b&gt; \\`code\\`',
    failedMessage: 'expected 2 to be 3 // Object.is equality',
  },
  {
    name: 'jest',
    dir: 'jest',
    args: (extra = []) => [path.join(repoRoot, 'node_modules/jest/bin/jest.js'), '--config', 'jest.config.cjs', ...extra],
    shardArgs: ['--shard=1/2'],
    quickArgs: ['-t', 'adds'],
    failedNodeid: 'sample.spec.cjs::math::fails \\| &lt;b&gt; \\`code\\`',
  },
  {
    name: 'node:test',
    dir: 'node-test',
    args: (extra = []) => [
      '--test', ...extra,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=@pytest-platform/reporter/node-test', '--test-reporter-destination=stderr',
      'sample.test.mjs',
    ],
    shardArgs: ['--test-shard=1/2'],
    quickArgs: ['--test-name-pattern=adds'],
    failedNodeid: 'sample.test.mjs::math::fails \\| &lt;b&gt; \\`code\\`',
  },
  {
    name: 'playwright',
    dir: 'playwright',
    args: (extra = []) => [path.join(repoRoot, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'playwright.config.mjs', ...extra],
    shardArgs: ['--shard=1/2'],
    quickArgs: ['-g', 'has a heading'],
    failedNodeid: 'sample.spec.mjs::page::fails \\| &lt;b&gt; \\`code\\`\\[chromium\\]',
  },
];

describe.concurrent('runner reporters against real runners', () => {
  test('vitest', { timeout: RUNNER_TIMEOUT_MS }, async () => {
    const runner = runners[0]!;
    const { code, output, stream } = await runRunner(runner.dir, runner.args(['sample.spec.ts']), { REDIS_URL, PROJECT: 'reporter-fixtures' });
    expect(code, output).not.toBe(0);
    const result = await readOneRun(redis, stream);
    expect(result.framework).toBe('vitest');
    expect(result.framework_version).toMatch(/^4\./);
    expect(result.project).toBe('reporter-fixtures');
    expect(result.status).toBe('failed');
    expect(result.summary).toEqual({ total: 5, passed: 2, failed: 1, skipped: 2, errors: 0, xfailed: 0, xpassed: 0, flaky: 1 });
    const tests = byName(result);
    expect(tests.get('sample.spec.ts::math::adds')).toMatchObject({ outcome: 'passed', attempts: 1, file: 'sample.spec.ts', line: 6, tags: ['unit'] });
    expect(tests.get('sample.spec.ts::math::fails | <b> `code`')).toMatchObject({ outcome: 'failed', attempts: 1, message: 'expected 2 to be 3 // Object.is equality' });
    expect(tests.get('sample.spec.ts::math::skipped')?.outcome).toBe('skipped');
    expect(tests.get('sample.spec.ts::math::todo later')).toMatchObject({ outcome: 'skipped', message: 'todo' });
    expect(tests.get('sample.spec.ts::math::nested::passes on retry')).toMatchObject({ outcome: 'passed', attempts: 2 });
    expect(tests.get('sample.spec.ts::math::nested::passes on retry')).not.toHaveProperty('tags');
  });

  test('jest', { timeout: RUNNER_TIMEOUT_MS }, async () => {
    const runner = runners[1]!;
    const { code, output, stream } = await runRunner(runner.dir, runner.args(), { REDIS_URL, PROJECT: 'reporter-fixtures' });
    expect(code, output).not.toBe(0);
    const result = await readOneRun(redis, stream);
    expect(result.framework).toBe('jest');
    expect(result.framework_version).toMatch(/^30\./);
    expect(result.summary).toEqual({ total: 5, passed: 2, failed: 1, skipped: 2, errors: 0, xfailed: 0, xpassed: 0, flaky: 1 });
    const tests = byName(result);
    expect(tests.get('sample.spec.cjs::math::adds')).toMatchObject({ outcome: 'passed', attempts: 1 });
    // jest.retryTimes(2): a test failing every time runs three times.
    expect(tests.get('sample.spec.cjs::math::fails | <b> `code`')).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(tests.get('sample.spec.cjs::math::fails | <b> `code`')?.message).toContain('toBe');
    expect(tests.get('sample.spec.cjs::math::skipped')?.outcome).toBe('skipped');
    expect(tests.get('sample.spec.cjs::math::todo later')).toMatchObject({ outcome: 'skipped', message: 'todo' });
    expect(tests.get('sample.spec.cjs::math::nested::passes on retry')).toMatchObject({ outcome: 'passed', attempts: 2 });
  });

  test('node:test', { timeout: RUNNER_TIMEOUT_MS }, async () => {
    const runner = runners[2]!;
    const { code, output, stream } = await runRunner(runner.dir, runner.args(), { REDIS_URL, PROJECT: 'reporter-fixtures' });
    expect(code, output).not.toBe(0);
    const result = await readOneRun(redis, stream);
    expect(result.framework).toBe('node:test');
    expect(result.summary).toEqual({ total: 5, passed: 2, failed: 1, skipped: 2, errors: 0, xfailed: 0, xpassed: 0, flaky: 0 });
    const tests = byName(result);
    expect(tests.get('sample.test.mjs::math::adds')).toMatchObject({ outcome: 'passed', attempts: 1, line: 5 });
    expect(tests.get('sample.test.mjs::math::fails | <b> `code`')).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(tests.get('sample.test.mjs::math::fails | <b> `code`')?.message).toContain('strictly equal');
    expect(tests.get('sample.test.mjs::math::skipped')).toMatchObject({ outcome: 'skipped', message: 'not today' });
    expect(tests.get('sample.test.mjs::math::todo later')?.outcome).toBe('skipped');
    expect(tests.get('sample.test.mjs::math::nested::deep')?.outcome).toBe('passed');
  });

  test('playwright against Debian Chromium: tags and annotations come through as tags', { timeout: RUNNER_TIMEOUT_MS }, async () => {
    const runner = runners[3]!;
    const { code, output, stream } = await runRunner(runner.dir, runner.args(), { REDIS_URL, PROJECT: 'reporter-fixtures' });
    expect(code, output).not.toBe(0);
    const result = await readOneRun(redis, stream);
    expect(result.framework).toBe('playwright');
    expect(result.framework_version).toMatch(/^1\./);
    expect(result.summary).toEqual({ total: 4, passed: 2, failed: 1, skipped: 1, errors: 0, xfailed: 0, xpassed: 0, flaky: 1 });
    const tests = byName(result);
    expect(tests.get('sample.spec.mjs::page::has a heading[chromium]')).toMatchObject({
      outcome: 'passed', attempts: 1, tags: ['ui', 'smoke', 'issue=https://example.test/issues/1', 'checked'],
    });
    expect(tests.get('sample.spec.mjs::page::fails | <b> `code`[chromium]')).toMatchObject({ outcome: 'failed', attempts: 2, tags: ['ui'] });
    // Playwright's own `skip` annotation is the outcome, not a tag.
    expect(tests.get('sample.spec.mjs::page::skipped[chromium]')).toMatchObject({ outcome: 'skipped', message: 'not today', tags: ['ui'] });
    expect(tests.get('sample.spec.mjs::page::passes on retry[chromium]')).toMatchObject({ outcome: 'passed', attempts: 2 });
  });
});

describe.each(runners)('$name: what the run says when it is done', (runner) => {
  test.concurrent('PYTEST_PLATFORM_REDIS_URL wins over a dead REDIS_URL: sent, nothing spooled; the end line links the run; the step summary gets the Markdown', { timeout: RUNNER_TIMEOUT_MS }, async () => {
    const { code, output, stderr, stream, spoolDir, summaryFile } = await runRunner(
      runner.dir,
      runner.args(runner.name === 'node:test' ? runner.shardArgs : []),
      { PYTEST_PLATFORM_REDIS_URL: REDIS_URL, REDIS_URL: DEAD_REDIS, PYTEST_PLATFORM_URL: `${PUBLIC_URL}/`, ...github },
      '## an earlier step\n',
    );
    expect(code, output).not.toBe(0);
    const result = await readOneRun(redis, stream);
    expect(await spooled(spoolDir)).toEqual([]);
    expect(result).toMatchObject({ project: 'acme/shop', branch: 'main', commit: COMMIT, worker_id: 'runner-7', build_id: '4242.2' });
    expect(result.environment).toMatchObject({ ci: 'github-actions', ci_url: 'https://github.com/acme/shop/actions/runs/4242/attempts/2' });
    // Only node --test-shard asks for a shard here; GitHub Actions has no shard variables.
    expect(result.shard).toBe(runner.name === 'node:test' ? '1/2' : null);
    expectEndLine(stderr, result);
    await expectStepSummary(summaryFile, result, runner);
  });

  test.concurrent('PYTEST_PLATFORM_QUIET=1: no line; PYTEST_PLATFORM_SUMMARY=off: no summary; the shard is the runner\'s, else the CI\'s', { timeout: RUNNER_TIMEOUT_MS }, async () => {
    const ownShard = runner.name !== 'node:test';
    const { output, stderr, stream, summaryFile } = await runRunner(runner.dir, runner.args([...runner.quickArgs, ...(ownShard ? runner.shardArgs : [])]), {
      REDIS_URL, PYTEST_PLATFORM_QUIET: '1', PYTEST_PLATFORM_SUMMARY: 'off', ...gitlab,
    });
    const result = await readOneRun(redis, stream);
    expect(result).toMatchObject({ project: 'acme/shop', build_id: '77', shard: ownShard ? '1/2' : '3/3' });
    expect(result.tests.length, output).toBeGreaterThan(0);
    expect(ourLines(stderr)).toEqual([]);
    await expect(readFile(summaryFile, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test.concurrent('PYTEST_PLATFORM=off: nothing sent (not even live), spooled, printed or written', { timeout: RUNNER_TIMEOUT_MS }, async () => {
    const { output, stderr, stream, spoolDir, summaryFile } = await runRunner(runner.dir, runner.args(runner.quickArgs), {
      REDIS_URL, PYTEST_PLATFORM: 'off', PYTEST_PLATFORM_LIVE: '1', PYTEST_PLATFORM_URL: PUBLIC_URL,
    });
    expect(output, 'the runner ran the test').toMatch(/\b[1-9]\d* passed\b|\bpass [1-9]/);
    expect(await redis.xlen(stream)).toBe(0);
    expect(await spooled(spoolDir)).toEqual([]);
    expect(ourLines(stderr)).toEqual([]);
    await expect(readFile(summaryFile, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
