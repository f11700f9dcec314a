import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { limits } from '@pytest-platform/schema';
import { afterAll, describe, expect, test } from 'vitest';
import { RunCollector, deliverRuns, readReporterConfig, resolveIdentity } from '../src/index.js';
import type { ReporterConfig } from '../src/index.js';
import { REDIS_URL, newRedis, randomStream, readEntries, readOneRun, tempDir } from './helpers.js';

const redis = newRedis();
const streams: string[] = [];
afterAll(async () => {
  if (streams.length > 0) await redis.del(...streams);
  redis.disconnect();
});

async function config(overrides: Partial<ReporterConfig> = {}): Promise<ReporterConfig> {
  const stream = randomStream();
  streams.push(stream);
  return { redisUrl: REDIS_URL, stream, spoolDir: await tempDir(), stopTimeoutMs: 10_000, live: false, ...overrides };
}

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
    expect(delivery).toEqual({ sent: 1, spooled: 0, flushed: 0 });
    const run = await readOneRun(redis, cfg.stream);
    expect(run).toMatchObject({ project: 'proj', branch: 'feat', commit: 'c0ffee', worker_id: 'w1', framework: 'custom', framework_version: '1.0', status: 'failed' });
    expect(run.summary).toMatchObject({ total: 3, passed: 2, failed: 1, flaky: 1 });
    expect(run.tests.map((t) => t.nodeid)).toEqual(['a.ts::ok', 'a.ts::ok [2]', 'a.ts::flaky']);
    expect(run.tests[1]).toMatchObject({ message: 'boom', duration: 0 });
    expect(run.tests[1]?.longrepr?.length).toBe(limits.longreprLength);
  });

  test('live mode: run.started, run.tests batches of at most 1000, run.finished, all with the same header', async () => {
    const cfg = await config({ live: true });
    const collector = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'live' } });
    collector.start();
    for (let i = 0; i < 2500; i += 1) collector.add({ nodeid: `t.ts::test ${i}`, outcome: i % 10 === 0 ? 'failed' : 'passed' });
    await collector.finish();
    const entries = await readEntries(redis, cfg.stream);
    expect(entries.map((e) => e.type)).toEqual(['run.started', 'run.tests', 'run.tests', 'run.tests', 'run.finished']);
    const sizes = entries.flatMap((e) => (e.type === 'run.tests' ? [e.data.tests.length] : []));
    expect(sizes).toEqual([1000, 1000, 500]);
    for (const entry of entries) expect(entry.data.run_id).toBe(collector.header.run_id);
    const finished = entries.at(-1);
    expect(finished?.type === 'run.finished' && finished.data.summary).toMatchObject({ total: 2500, failed: 250 });
  });

  test('inactive without REDIS_URL: collects, sends nothing', async () => {
    const collector = new RunCollector({ framework: 'custom', env: { HOME: '/nonexistent' } });
    collector.add({ nodeid: 'x', outcome: 'passed' });
    expect(collector.active).toBe(false);
    expect(await collector.finish()).toBeNull();
  });

  test('Redis down: one warning line, the run spooled as one file, sent first by the next run', async () => {
    const down = await config({ redisUrl: 'redis://127.0.0.1:1' });
    const { lines, log } = quiet();
    const collector = new RunCollector({ framework: 'custom', config: down, env: { PROJECT: 'spool' }, log });
    collector.add({ nodeid: 'x', outcome: 'passed' });
    expect(await collector.finish()).toEqual({ sent: 0, spooled: 1, flushed: 0 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('spooled');
    const files = await readdir(down.spoolDir);
    expect(files).toEqual([`${files[0]?.split('-')[0]}-${collector.header.run_id}.json`]);
    const spooled = JSON.parse(await readFile(`${down.spoolDir}/${files[0]}`, 'utf8')) as { type: string; data: { run_id: string } };
    expect(spooled.type).toBe('run');
    expect(spooled.data.run_id).toBe(collector.header.run_id);

    const up = { ...down, redisUrl: REDIS_URL };
    const next = new RunCollector({ framework: 'custom', config: up, env: { PROJECT: 'spool' } });
    expect(await next.finish()).toEqual({ sent: 1, spooled: 0, flushed: 1 });
    const entries = await readEntries(redis, up.stream);
    expect(entries.map((e) => e.data.run_id)).toEqual([collector.header.run_id, next.header.run_id]);
    expect(await readdir(down.spoolDir)).toEqual([]);
  });

  test('a Redis that never answers costs at most the stop timeout; the run is spooled', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const cfg = await config({ redisUrl: `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`, stopTimeoutMs: 1000 });
      const { lines, log } = quiet();
      const collector = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'slow' }, log });
      const started = Date.now();
      const delivery = await collector.finish();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(delivery?.sent).toBe(0);
      expect((await readdir(cfg.spoolDir)).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      expect(lines.length).toBeGreaterThanOrEqual(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('deliverRuns never throws, even without a spool directory it can write', async () => {
    const blocker = `${await tempDir()}/a-file`;
    await writeFile(blocker, '');
    const cfg = await config({ redisUrl: 'redis://127.0.0.1:1', spoolDir: `${blocker}/spool` });
    const { lines, log } = quiet();
    const run = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'x' } }).result();
    await expect(deliverRuns(cfg, [run], log)).resolves.toEqual({ sent: 0, spooled: 0, flushed: 0 });
    expect(lines[0]).toContain('lost');
  });
});

describe('configuration and identity', () => {
  test('defaults and overrides from the environment', () => {
    expect(readReporterConfig({ XDG_CACHE_HOME: '/c' })).toEqual({
      redisUrl: null, stream: 'pytest-platform:results', spoolDir: '/c/pytest-platform/spool', stopTimeoutMs: 10_000, live: false,
    });
    expect(readReporterConfig({ REDIS_URL: 'redis://h:1', RESULTS_STREAM: 's', PYTEST_PLATFORM_SPOOL_DIR: '/s', PYTEST_PLATFORM_STOP_TIMEOUT: '2.5', PYTEST_PLATFORM_LIVE: '1' }))
      .toEqual({ redisUrl: 'redis://h:1', stream: 's', spoolDir: '/s', stopTimeoutMs: 2500, live: true });
    expect(readReporterConfig({ PYTEST_PLATFORM_STOP_TIMEOUT: 'soon' }).stopTimeoutMs).toBe(10_000);
    expect(readReporterConfig({}, { defaultRedisUrl: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  test('CI providers', () => {
    const github = resolveIdentity({
      env: { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/shop', GITHUB_REF_NAME: 'main', GITHUB_SHA: 'abc', RUNNER_NAME: 'r1', GITHUB_RUN_ID: '7', GITHUB_SERVER_URL: 'https://github.com' },
      cwd: '/',
    });
    expect(github).toMatchObject({ project: 'shop', branch: 'main', commit: 'abc', worker_id: 'r1', environment: { ci: 'github-actions', ci_url: 'https://github.com/acme/shop/actions/runs/7' } });
    const gitlab = resolveIdentity({ env: { GITLAB_CI: 'true', CI_PROJECT_NAME: 'shop', CI_COMMIT_REF_NAME: 'dev', CI_COMMIT_SHA: 'def' }, cwd: '/' });
    expect(gitlab).toMatchObject({ project: 'shop', branch: 'dev', commit: 'def' });
    const jenkins = resolveIdentity({ env: { JENKINS_URL: 'http://j', JOB_BASE_NAME: 'shop', GIT_BRANCH: 'origin/release', GIT_COMMIT: 'f00' }, cwd: '/' });
    expect(jenkins).toMatchObject({ project: 'shop', branch: 'release', commit: 'f00' });
    const buildkite = resolveIdentity({ env: { BUILDKITE: 'true', BUILDKITE_PIPELINE_SLUG: 'shop', BUILDKITE_BRANCH: 'b', BUILDKITE_COMMIT: 'c' }, cwd: '/' });
    expect(buildkite).toMatchObject({ project: 'shop', branch: 'b', commit: 'c' });
    const circle = resolveIdentity({ env: { CIRCLECI: 'true', CIRCLE_PROJECT_REPONAME: 'shop', CIRCLE_BRANCH: 'b', CIRCLE_SHA1: 'c' }, cwd: '/' });
    expect(circle).toMatchObject({ project: 'shop', branch: 'b', commit: 'c' });
    const explicit = resolveIdentity({ env: { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/shop', PROJECT: 'mine' }, overrides: { branch: 'x' }, cwd: '/' });
    expect(explicit).toMatchObject({ project: 'mine', branch: 'x' });
  });
});
