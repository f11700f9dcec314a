import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '../test-support/build.js';
import { randomStream } from '../test-support/runs.js';
import { REDIS_URL, freePort, repoRoot, startService, type RunningService } from '../test-support/services.js';
import { waitFor } from '../test-support/wait-for.js';

// A pytest marker, a Playwright tag and a CTRF tag, each from a real producer, through real ingest
// and API processes, come back from GET /results/{id}/tests?tag=.

const dir = mkdtempSync(join(tmpdir(), 'pp-e2e-tags-'));
const stream = randomStream('e2e-tags');
const services: RunningService[] = [];
let api = '';

type Finished = { code: number; output: string };

function run(command: string, args: string[], env: Record<string, string>, cwd = dir): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: 180_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }));
  });
}

const reporterEnv = (project: string) => ({
  REDIS_URL, RESULTS_STREAM: stream, PROJECT: project, BRANCH: 'main', WORKER_ID: 'e2e-tags',
  PYTEST_PLATFORM_SPOOL_DIR: join(dir, 'spool'), PYTEST_PLATFORM_LIVE: '0',
});

async function onlyRun(project: string): Promise<string> {
  const runs = await waitFor(`the run of ${project}`, async () => {
    const body = (await (await fetch(`${api}/results?project=${encodeURIComponent(project)}`)).json()) as { items: { run_id: string }[] };
    return body.items.length === 1 ? body.items : null;
  });
  return runs[0]!.run_id;
}

async function taggedNodeids(runId: string, tag: string): Promise<string[]> {
  const response = await fetch(`${api}/results/${encodeURIComponent(runId)}/tests?tag=${encodeURIComponent(tag)}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { items: { nodeid: string; tags: string[] }[] };
  for (const item of body.items) expect(item.tags).toContain(tag);
  return body.items.map((item) => item.nodeid).sort();
}

beforeAll(async () => {
  buildPackages('shared/reporter');
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const env = { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: join(dir, 'tags.sqlite') };
  services.push(await startService('ingest', { ...env, INGEST_BLOCK_MS: '200' }));
  services.push(await startService('api', { ...env, API_PORT: String(port) }));
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('tags from three producers', () => {
  it('a pytest marker (pytest\'s own marks left out)', async () => {
    writeFileSync(join(dir, 'test_marked.py'), [
      'import pytest',
      '',
      '@pytest.mark.slow',
      '@pytest.mark.parametrize("n", [1, 2])',
      'def test_slow(n):',
      '    assert n',
      '',
      '@pytest.mark.filterwarnings("ignore")',
      'def test_plain():',
      '    pass',
      '',
    ].join('\n'));
    const pytest = await run(join(repoRoot, 'shared/pytest-plugin/.venv/bin/python'), ['-m', 'pytest', '-p', 'no:cacheprovider', 'test_marked.py'], reporterEnv('tags-pytest'));
    expect(pytest.code, pytest.output).toBe(0);
    const runId = await onlyRun('tags-pytest');
    expect(await taggedNodeids(runId, 'slow')).toEqual(['test_marked.py::test_slow[1]', 'test_marked.py::test_slow[2]']);
    expect(await taggedNodeids(runId, 'parametrize')).toEqual([]);
    expect(await taggedNodeids(runId, 'filterwarnings')).toEqual([]);
  }, 180_000);

  it('a Playwright tag and an annotation', async () => {
    const suite = mkdtempSync(join(dir, 'playwright-'));
    const testModule = join(repoRoot, 'node_modules/@playwright/test/index.mjs');
    writeFileSync(join(suite, 'checkout.spec.mjs'), [
      `import { test, expect } from ${JSON.stringify(testModule)};`,
      "test('pays by card', { tag: '@smoke', annotation: { type: 'issue', description: 'SHOP-12' } }, () => expect(1 + 1).toBe(2));",
      "test('pays by invoice', () => expect(2 * 2).toBe(4));",
      '',
    ].join('\n'));
    writeFileSync(join(suite, 'playwright.config.mjs'), `export default { testDir: '.', testMatch: '*.spec.mjs', workers: 1, outputDir: ${JSON.stringify(join(suite, 'out'))}, reporter: [[${JSON.stringify(join(repoRoot, 'shared/reporter/dist/playwright-reporter.js'))}]] };\n`);
    const playwright = await run(process.execPath, [join(repoRoot, 'node_modules/@playwright/test/cli.js'), 'test', '--config', 'playwright.config.mjs'], reporterEnv('tags-playwright'), suite);
    expect(playwright.code, playwright.output).toBe(0);
    const runId = await onlyRun('tags-playwright');
    expect(await taggedNodeids(runId, 'smoke')).toEqual([expect.stringContaining('pays by card')]);
    expect(await taggedNodeids(runId, 'issue=SHOP-12')).toEqual([expect.stringContaining('pays by card')]);
  }, 180_000);

  it('a CTRF tag, imported with the CLI', async () => {
    const report = join(dir, 'ctrf-report.json');
    writeFileSync(report, JSON.stringify({
      results: {
        tool: { name: 'cypress' },
        summary: { tests: 2, passed: 1, failed: 1, pending: 0, skipped: 0, other: 0, start: 1764583200000, stop: 1764583260000 },
        tests: [
          { name: 'logs in', status: 'passed', duration: 1200, tags: ['@auth', 'critical'] },
          { name: 'logs out', status: 'failed', duration: 800, message: 'expected /home', tags: ['@auth'] },
        ],
      },
    }));
    const cli = await run(process.execPath, [join(repoRoot, 'shared/reporter/bin/pytest-platform.js'), 'import', report], reporterEnv('tags-ctrf'));
    expect(cli.code, cli.output).toBe(0);
    const runId = await onlyRun('tags-ctrf');
    expect(await taggedNodeids(runId, 'critical')).toEqual([expect.stringContaining('logs in')]);
    // `@auth` is stored as `auth`, as a Playwright `@auth` tag or a pytest `auth` marker would be.
    expect(await taggedNodeids(runId, 'auth')).toEqual([expect.stringContaining('logs in'), expect.stringContaining('logs out')]);
  }, 180_000);
});
