import { readFileSync } from 'node:fs';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addSummaries, emptySummary } from '@pytest-platform/schema';
import type { Summary } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importReportFile } from '../src/import-report.js';
import { resolveIdentity } from '../src/run-identity.js';
import { REDIS_URL, buildPackage, cliPath, fixturesDir, newRedis, packageDir, randomStream, readEntries, readOneRun, reportsDir, run, tempDir } from './helpers.js';

const redis = newRedis();
const streams: string[] = [];
const version = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => buildPackage(), 120_000);
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

/** The summed counts of importing each file on its own, in this process. */
async function summedCounts(files: string[]): Promise<Summary> {
  const identity = resolveIdentity({ env: { PROJECT: 'cli' }, cwd: reportsDir });
  let sum = emptySummary();
  for (const file of files) sum = addSummaries(sum, (await importReportFile(path.join(reportsDir, file), { identity })).summary!);
  return sum;
}

const perClassFiles = async (dir: string) => (await readdir(path.join(reportsDir, dir))).filter((f) => f.endsWith('.xml')).map((f) => `${dir}/${f}`);

const endLines = (stderr: string) => stderr.split('\n').filter((line) => /^pytest-platform: run \S+ · /.test(line));

describe('pytest-platform CLI: what people expect of a command line', () => {
  test('--version prints the package version; --help lists the commands', async () => {
    const versioned = await cli(['--version']);
    expect(versioned.code).toBe(0);
    expect(versioned.stdout.trim()).toBe(version);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['import', 'run', 'shard', 'flush', 'summary', 'digest']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  test('each command\'s --help shows its own options and an example', async () => {
    const cases: [string, string[]][] = [
      ['import', ['--run-per-file', '--strict', '--dry-run', '--project <name>', '$ pytest-platform import ']],
      ['run', ['--junit <path>', '--run-per-file', '--quarantine', '$ pytest-platform run ']],
      ['shard', ['--by <what>', '--project <name>', '$ pytest-platform shard 2/4 ']],
      ['summary', ['--run <run_id>', '--api-url <url>', '$ pytest-platform summary --run ']],
      ['flush', ['$ PYTEST_PLATFORM_REDIS_URL=']],
    ];
    for (const [command, expected] of cases) {
      const result = await cli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: pytest-platform ${command}`);
      for (const text of expected) expect(result.stdout, command).toContain(text);
    }
    expect((await cli(['import', '--help'])).stdout).not.toContain('--junit');
  });

  test('a usage error names the problem and exits 2; backup says where it went', async () => {
    const unknown = await cli(['import', '--bogus', 'x.xml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("pytest-platform: unknown option '--bogus'");
    expect(unknown.stderr).toContain('pytest-platform import --help');
    expect((await cli(['import'])).code).toBe(2);
    const backup = await cli(['backup', 'copy.sqlite']);
    expect(backup.code).toBe(2);
    expect(backup.stderr.trim().split('\n')).toEqual([expect.stringContaining('pytest-platform-admin backup <file>')]);
  });
});

describe('pytest-platform import', () => {
  test('files, globs and directories become ONE run: tests merged, counts summed, one end line', async () => {
    const files = [...await perClassFiles('junit/gradle'), ...await perClassFiles('junit/maven-surefire')];
    const result = await cli(['import', 'junit/gradle/*.xml', 'junit/maven-surefire', '--branch', 'feature', '--worker-id', 'laptop']);
    expect(result.code, result.stderr).toBe(0);
    const merged = await readOneRun(redis, result.stream);
    expect(merged).toMatchObject({ project: 'cli', branch: 'feature', worker_id: 'laptop', framework: 'junit' });
    expect(merged.summary).toEqual(await summedCounts(files));
    expect(merged.tests).toHaveLength(merged.summary!.total);
    expect(merged.run_id).toMatch(/^import-[0-9a-f]{32}$/);
    expect(endLines(result.stderr)).toEqual([`pytest-platform: run ${merged.run_id} · ${merged.summary!.failed + merged.summary!.errors} failed, ${merged.summary!.passed} passed, ${merged.summary!.skipped} skipped`]);
    expect(result.stderr).not.toMatch(/runs? sent/);
  });

  test('the run id comes from the project and the contents: same files in any order, same id; another project, another id', async () => {
    const first = await cli(['import', '--dry-run', 'junit/gradle/gmazzo__TEST-SampleTestSuite.xml', 'junit/gradle/gmazzo__TEST-FlakyTestSuite-test-retry.xml']);
    const again = await cli(['import', '--dry-run', 'junit/gradle/gmazzo__TEST-FlakyTestSuite-test-retry.xml', 'junit/gradle']);
    const other = await cli(['import', '--dry-run', 'junit/gradle'], { PROJECT: 'someone-else' });
    const id = (output: string) => (JSON.parse(output) as { run_id: string }).run_id;
    expect(id(again.stdout)).toBe(id(first.stdout));
    expect(id(other.stdout)).not.toBe(id(first.stdout));
  });

  test('--run-per-file: one run per file, each with its own stable id and end line, then a count line', async () => {
    const result = await cli(['import', '--run-per-file', 'junit/gradle/*.xml', 'ctrf/spec-examples/*.json']);
    expect(result.code, result.stderr).toBe(0);
    const entries = await readEntries(redis, result.stream);
    expect(entries).toHaveLength(5);
    const ids = entries.map((entry) => (entry.type === 'run' ? entry.data.run_id : ''));
    expect(new Set(ids).size).toBe(5);
    expect(endLines(result.stderr).map((line) => line.split(' ')[2])).toEqual(ids);
    expect(result.stderr).toContain(`pytest-platform: 5 runs sent to ${result.stream}`);
    const again = await cli(['import', '--run-per-file', 'junit/gradle/*.xml', 'ctrf/spec-examples/*.json']);
    expect((await readEntries(redis, again.stream)).map((entry) => (entry.type === 'run' ? entry.data.run_id : ''))).toEqual(ids);
  });

  test('a rejected file: `file:line: reason` in plain words, the others still imported, exit 1', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'junit.xml'), '<?xml version="1.0"?>\n<testsuite name="s">\n  <testcase name="a" classname="c">\n</testsuite>\n');
    await writeFile(path.join(dir, 'cut.xml'), '<testsuites>\n<testsuite name="s">\n<testcase name="a" classname="c">\n');
    await writeFile(path.join(dir, 'bad.json'), '{\n  "results": {\n    "tests": [}\n}\n');
    const good = path.join(reportsDir, 'junit/gradle/gmazzo__TEST-SampleTestSuite.xml');
    const result = await cli(['import', 'junit.xml', 'cut.xml', 'bad.json', 'missing-*.xml', good], {}, dir);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n');
    expect(lines).toContain('pytest-platform: junit.xml:3: unclosed tag <testcase>, closed by </testsuite> on line 4; file not imported');
    expect(lines).toContain('pytest-platform: cut.xml:3: unclosed tag <testcase>: the file ends first; file not imported');
    expect(lines.find((line) => line.startsWith('pytest-platform: bad.json'))).toMatch(/^pytest-platform: bad\.json(:3)?: not valid JSON: .+; file not imported$/);
    expect(lines).toContain('pytest-platform: missing-*.xml: no such file or directory, and no files match it as a glob');
    expect(result.stderr).not.toMatch(/readTagExp|position \d+/);
    expect((await readOneRun(redis, result.stream)).summary?.total).toBe(4);
  });

  test('rejections of the fixture corpus name the file and why; --strict rejects CTRF that is not 1.0; --dry-run sends nothing', async () => {
    const malformed = await cli(['import', '--dry-run', 'junit/malformed/*.xml']);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('junit/malformed/enricomi__empty.xml: empty file; file not imported');
    expect(malformed.stderr).toContain('junit/malformed/jenkins__testXxe-xxe.xml: DOCTYPE declares an external entity');
    const strict = await cli(['import', '--strict', '--dry-run', 'ctrf/jest/*.json', 'ctrf/spec-examples/ctrf-spec__with-retries.json']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/jest-ctrf-json-reporter__selftest-2023\.json: not valid CTRF 1\.0/);
    const printed = strict.stdout.trim().split('\n').map((line) => JSON.parse(line) as { framework: string; summary: { flaky: number } });
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatchObject({ framework: 'example-runner', summary: { flaky: 1 } });
    expect(await readEntries(redis, strict.stream)).toHaveLength(0);
  });

  test('a progress line for many files', async () => {
    const result = await cli(['import', '--dry-run', 'junit/**/*.xml']);
    expect(result.stderr).toMatch(/pytest-platform: 20\/\d+ files read, \d+ rejected/);
  });

  test('PYTEST_PLATFORM_REDIS_URL wins over REDIS_URL; PYTEST_PLATFORM_URL links the end line; GITHUB_STEP_SUMMARY gets the Markdown', async () => {
    const summaryFile = path.join(await tempDir(), 'summary.md');
    const result = await cli(['import', 'junit/gradle/gmazzo__TEST-FlakyTestSuite-test-retry.xml'], {
      REDIS_URL: 'redis://127.0.0.1:1', PYTEST_PLATFORM_REDIS_URL: REDIS_URL, PYTEST_PLATFORM_URL: 'https://tests.example.com/',
      GITHUB_STEP_SUMMARY: summaryFile,
    });
    expect(result.code, result.stderr).toBe(0);
    const sent = await readOneRun(redis, result.stream);
    expect(endLines(result.stderr)).toEqual([expect.stringMatching(new RegExp(`^pytest-platform: run ${sent.run_id} · \\d+ failed, \\d+ passed, \\d+ skipped → https://tests\\.example\\.com/runs/${sent.run_id}$`))]);
    expect(result.stderr).not.toContain('Redis unavailable');
    expect(await readFile(summaryFile, 'utf8')).toContain(`https://tests.example.com/runs/${sent.run_id}`);
  });
});

describe('pytest-platform run', () => {
  test('run -- python3 -m pytest: output streamed, exit code passed through, one run sent, the end line', async () => {
    const result = await cli(['run', '--', 'python3', '-m', 'pytest', '-p', 'no:cacheprovider', 'test_sample.py'], {}, path.join(fixturesDir, 'pytest'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('1 failed, 1 passed, 1 skipped');
    const runResult = await readOneRun(redis, result.stream);
    expect(runResult.framework).toBe('pytest');
    expect(runResult.summary).toMatchObject({ total: 3, passed: 1, failed: 1, skipped: 1 });
    expect(runResult.tests.find((t) => t.outcome === 'skipped')?.message).toContain('not today');
    expect(endLines(result.stderr)).toEqual([`pytest-platform: run ${runResult.run_id} · 1 failed, 1 passed, 1 skipped`]);
  });

  test('run --junit: report files older than the command are ignored and counted; exit code 0 passed through', async () => {
    const dir = await tempDir();
    const leftover = path.join(dir, 'TEST-Leftover.xml');
    await writeFile(leftover, '<testsuite name="Leftover"><testcase classname="Leftover" name="old"><failure message="stale"/></testcase></testsuite>');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(leftover, hourAgo, hourAgo);
    const fresh = path.join(reportsDir, 'junit/gradle/gmazzo__TEST-FlakyTestSuite-test-retry.xml');
    const write = `require('node:fs').copyFileSync(${JSON.stringify(fresh)}, 'TEST-Fresh.xml')`;
    const result = await cli(['run', '--junit', '*.xml', '--', 'node', '-e', write], {}, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('pytest-platform: run: ignored 1 report file(s) written before the command started (TEST-Leftover.xml)');
    const runResult = await readOneRun(redis, result.stream);
    expect(runResult.summary?.flaky).toBe(1);
    expect(runResult.tests.map((t) => t.nodeid)).not.toContain('Leftover::old');
  });

  test('run --junit with only files from before: nothing sent, the command\'s exit code kept', async () => {
    const dir = await tempDir();
    const leftover = path.join(dir, 'TEST-Leftover.xml');
    await writeFile(leftover, '<testsuite name="Leftover"><testcase classname="Leftover" name="old"/></testsuite>');
    await utimes(leftover, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
    const result = await cli(['run', '--junit', dir, '--', 'node', '-e', 'process.exit(3)'], {}, dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('ignored 1 report file(s)');
    expect(result.stderr).toContain('the command wrote no JUnit report');
    expect(await readEntries(redis, result.stream)).toHaveLength(0);
  });
});

describe('spool and flush', () => {
  test('Redis down: the run is spooled and says so; flush sends it exactly once', async () => {
    const spoolDir = await tempDir();
    const down = await cli(['import', 'junit/gradle/gmazzo__TEST-SampleTestSuite.xml'], { REDIS_URL: 'redis://127.0.0.1:1', PYTEST_PLATFORM_SPOOL_DIR: spoolDir });
    expect(down.code).toBe(0);
    expect(down.stderr.split('\n').filter((line) => line.includes('Redis unavailable'))).toHaveLength(1);
    expect(endLines(down.stderr)).toEqual([expect.stringContaining(`spooled to ${spoolDir}`)]);
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
