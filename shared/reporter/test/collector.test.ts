import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { limits } from '@pytest-platform/schema';
import { describe, expect, test } from 'vitest';
import { RunCollector, deliverRuns, readReporterConfig } from '../src/index.js';
import { REDIS_URL, readEntries, readOneRun, tempDir, streamsForThisFile } from './helpers.js';

const { redis, config } = streamsForThisFile();

const quiet = () => {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
};

describe('RunCollector', () => {
  test('sends one run entry with the full run, truncated to the limits', async () => {
    const cfg = await config();
    const collector = new RunCollector({ framework: 'custom', frameworkVersion: '1.0', config: cfg, env: { PROJECT: 'proj', BRANCH: 'feat', COMMIT: 'c0ffee', WORKER_ID: 'w1' } });
    collector.add({ nodeid: 'a.ts::ok', outcome: 'passed', duration: 0.5 });
    collector.add({ nodeid: 'a.ts::ok', outcome: 'failed', message: '\u001b[31mboom\u001b[39m\nsecond line', longrepr: 'x'.repeat(100_000), duration: -1 });
    collector.add({ nodeid: 'a.ts::flaky', outcome: 'passed', attempts: 3 });
    const delivery = await collector.finish();
    expect(delivery).toEqual({ sent: 1, spooled: 0, flushed: 0, failure: null });
    const run = await readOneRun(redis, cfg.stream);
    expect(run).toMatchObject({ project: 'proj', branch: 'feat', commit: 'c0ffee', worker_id: 'w1', framework: 'custom', framework_version: '1.0', status: 'failed' });
    expect(run.summary).toMatchObject({ total: 3, passed: 2, failed: 1, flaky: 1 });
    expect(run.tests.map((t) => t.nodeid)).toEqual(['a.ts::ok', 'a.ts::ok [2]', 'a.ts::flaky']);
    expect(run.tests[1]).toMatchObject({ message: 'boom', duration: 0 });
    expect(run.tests[1]?.longrepr?.length).toBe(limits.longreprLength);
  });

  test('live mode: run.started, run.tests batches of at most 1000, run.finished, all with the same header', async () => {
    const cfg = await config({ live: true });
    const collector = new RunCollector({
      framework: 'custom', config: cfg, env: { PROJECT: 'live', GITLAB_CI: 'true', CI_PIPELINE_ID: '1029384', CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' },
    });
    collector.start();
    for (let i = 0; i < 2500; i += 1) collector.add({ nodeid: `t.ts::test ${i}`, outcome: i % 10 === 0 ? 'failed' : 'passed' });
    await collector.finish();
    const entries = await readEntries(redis, cfg.stream);
    expect(entries.map((e) => e.type)).toEqual(['run.started', 'run.tests', 'run.tests', 'run.tests', 'run.finished']);
    const sizes = entries.flatMap((e) => (e.type === 'run.tests' ? [e.data.tests.length] : []));
    expect(sizes).toEqual([1000, 1000, 500]);
    for (const entry of entries) expect(entry.data).toMatchObject({ run_id: collector.header.run_id, build_id: '1029384', shard: '2/3' });
    const finished = entries.at(-1);
    expect(finished?.type === 'run.finished' && finished.data.summary).toMatchObject({ total: 2500, failed: 250 });
  });

  test('inactive without REDIS_URL: collects, sends nothing, says nothing', async () => {
    const { lines, log } = quiet();
    const collector = new RunCollector({ framework: 'custom', env: { HOME: '/nonexistent' }, log });
    collector.add({ nodeid: 'x', outcome: 'passed' });
    expect(collector.active).toBe(false);
    expect(await collector.finish()).toBeNull();
    expect(lines).toEqual([]);
  });

  test('PYTEST_PLATFORM=off: nothing sent (live or not), spooled or printed, though Redis is up', async () => {
    for (const live of [false, true]) {
      const cfg = await config({ live, enabled: false, quiet: false, stepSummaryFile: `${await tempDir()}/summary.md` });
      const { lines, log } = quiet();
      const collector = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'off' }, log });
      collector.start();
      collector.add({ nodeid: 'x', outcome: 'failed' });
      expect(await collector.finish()).toBeNull();
      expect(await redis.xlen(cfg.stream)).toBe(0);
      expect(await readdir(cfg.spoolDir)).toEqual([]);
      await expect(readFile(cfg.stepSummaryFile ?? '', 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(lines).toEqual([]);
    }
  });

  test('a sent run is announced once, after it is on the stream', async () => {
    const cfg = await config({ quiet: false, publicUrl: 'https://tests.example.test/' });
    const { lines, log } = quiet();
    const collector = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'announce' }, log });
    collector.add({ nodeid: 'a', outcome: 'failed' });
    collector.add({ nodeid: 'b', outcome: 'error' });
    collector.add({ nodeid: 'c', outcome: 'skipped' });
    await collector.finish();
    await collector.finish();
    const run = await readOneRun(redis, cfg.stream);
    expect(lines).toEqual([`pytest-platform: run ${run.run_id} · 2 failed, 0 passed, 1 skipped → https://tests.example.test/runs/${run.run_id}`]);
  });

  test('Redis down: the run spooled as one file, one line that says why, sent first by the next run', async () => {
    const down = await config({ redisUrl: 'redis://127.0.0.1:1', quiet: false });
    const { lines, log } = quiet();
    const collector = new RunCollector({ framework: 'custom', config: down, env: { PROJECT: 'spool' }, log });
    collector.add({ nodeid: 'x', outcome: 'passed' });
    expect(await collector.finish()).toEqual({ sent: 0, spooled: 1, flushed: 0, failure: expect.stringMatching(/^Redis unavailable: /) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^pytest-platform: run ${collector.header.run_id} · 0 failed, 1 passed, 0 skipped · not sent \\(Redis unavailable: [^()]+\\): spooled to ${down.spoolDir}, sent by the next run$`));
    const files = await readdir(down.spoolDir);
    expect(files).toEqual([`${files[0]?.split('-')[0]}-${collector.header.run_id}.json`]);
    const spooled = JSON.parse(await readFile(`${down.spoolDir}/${files[0]}`, 'utf8')) as { type: string; data: { run_id: string } };
    expect(spooled.type).toBe('run');
    expect(spooled.data.run_id).toBe(collector.header.run_id);

    const up = { ...down, redisUrl: REDIS_URL, quiet: true };
    const next = new RunCollector({ framework: 'custom', config: up, env: { PROJECT: 'spool' } });
    expect(await next.finish()).toEqual({ sent: 1, spooled: 0, flushed: 1, failure: null });
    const entries = await readEntries(redis, up.stream);
    expect(entries.map((e) => e.data.run_id)).toEqual([collector.header.run_id, next.header.run_id]);
    expect(await readdir(down.spoolDir)).toEqual([]);
  });

  test('a Redis that never answers costs at most the stop timeout (the line names it, not a socket timeout); the run is spooled', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const cfg = await config({ redisUrl: `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`, stopTimeoutMs: 1000, quiet: false });
      const { lines, log } = quiet();
      const collector = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'slow' }, log });
      const delivery = await collector.finish();
      expect(delivery?.sent).toBe(0);
      expect((await readdir(cfg.spoolDir)).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      expect(lines).toEqual([
        `pytest-platform: run ${collector.header.run_id} · 0 failed, 0 passed, 0 skipped · not sent (sending took longer than 1s): spooled to ${cfg.spoolDir}, sent by the next run`,
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('live mode, Redis down: spooled, and the end line says why, quiet or not', async () => {
    for (const quietRun of [false, true]) {
      const cfg = await config({ redisUrl: 'redis://127.0.0.1:1', live: true, quiet: quietRun });
      const { lines, log } = quiet();
      const collector = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'live-down' }, log });
      collector.start();
      collector.add({ nodeid: 'x', outcome: 'failed' });
      expect(await collector.finish()).toMatchObject({ sent: 0, spooled: 1, flushed: 0 });
      expect(await readdir(cfg.spoolDir)).toHaveLength(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^pytest-platform: run ${collector.header.run_id} · 1 failed, 0 passed, 0 skipped · not sent \\(Redis unavailable: [^()]+\\): spooled to ${cfg.spoolDir}, sent by the next run$`));
    }
  });

  test('deliverRuns never throws, even without a spool directory it can write', async () => {
    const blocker = `${await tempDir()}/a-file`;
    await writeFile(blocker, '');
    const cfg = await config({ redisUrl: 'redis://127.0.0.1:1', spoolDir: `${blocker}/spool` });
    const { lines, log } = quiet();
    const run = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'x' } }).result();
    await expect(deliverRuns(cfg, [run], log)).resolves.toEqual({ sent: 0, spooled: 0, flushed: 0, failure: expect.stringMatching(/^Redis unavailable: /) });
    expect(lines[0]).toContain('lost');
  });
});

describe('configuration', () => {
  test('defaults and overrides from the environment', () => {
    expect(readReporterConfig({ XDG_CACHE_HOME: '/c' })).toEqual({
      enabled: true, redisUrl: null, stream: 'pytest-platform:results', spoolDir: '/c/pytest-platform/spool', stopTimeoutMs: 10_000, live: false,
      publicUrl: null, quiet: false, stepSummaryFile: null,
    });
    expect(readReporterConfig({
      REDIS_URL: 'redis://h:1', RESULTS_STREAM: 's', PYTEST_PLATFORM_SPOOL_DIR: '/s', PYTEST_PLATFORM_STOP_TIMEOUT: '2.5', PYTEST_PLATFORM_LIVE: '1',
      PYTEST_PLATFORM_URL: ' https://tests.example.test ', PYTEST_PLATFORM_QUIET: 'on', GITHUB_STEP_SUMMARY: '/tmp/summary.md',
    })).toEqual({
      enabled: true, redisUrl: 'redis://h:1', stream: 's', spoolDir: '/s', stopTimeoutMs: 2500, live: true,
      publicUrl: 'https://tests.example.test', quiet: true, stepSummaryFile: '/tmp/summary.md',
    });
    expect(readReporterConfig({ PYTEST_PLATFORM_STOP_TIMEOUT: 'soon' }).stopTimeoutMs).toBe(10_000);
    expect(readReporterConfig({}, { defaultRedisUrl: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  test('PYTEST_PLATFORM_REDIS_URL wins over REDIS_URL; a blank one does not count', () => {
    expect(readReporterConfig({ PYTEST_PLATFORM_REDIS_URL: 'redis://mine:1', REDIS_URL: 'redis://app:2' }).redisUrl).toBe('redis://mine:1');
    expect(readReporterConfig({ PYTEST_PLATFORM_REDIS_URL: '  ', REDIS_URL: 'redis://app:2' }).redisUrl).toBe('redis://app:2');
  });

  test('booleans take the contract words, ignoring case and blanks; anything else is the default', () => {
    for (const word of ['0', 'false', ' No ', 'OFF']) expect(readReporterConfig({ PYTEST_PLATFORM: word }).enabled).toBe(false);
    for (const word of ['1', 'TRUE', 'yes', 'on', '', 'maybe', 'disabled']) expect(readReporterConfig({ PYTEST_PLATFORM: word }).enabled).toBe(true);
    expect(readReporterConfig({ PYTEST_PLATFORM_QUIET: 'Yes' }).quiet).toBe(true);
    expect(readReporterConfig({ PYTEST_PLATFORM_QUIET: 'quiet' }).quiet).toBe(false);
    expect(readReporterConfig({ PYTEST_PLATFORM_LIVE: 'TRUE' }).live).toBe(true);
    expect(readReporterConfig({ GITHUB_STEP_SUMMARY: '/s.md', PYTEST_PLATFORM_SUMMARY: 'no' }).stepSummaryFile).toBeNull();
    expect(readReporterConfig({ GITHUB_STEP_SUMMARY: '/s.md', PYTEST_PLATFORM_SUMMARY: 'bogus' }).stepSummaryFile).toBe('/s.md');
  });
});
