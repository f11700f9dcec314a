import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importReportFile, resolveIdentity } from '@pytest-platform/reporter';
import { INGEST_GROUP, addSummaries, emptySummary } from '@pytest-platform/schema';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '../test-support/build.js';
import { randomStream } from '../test-support/runs.js';
import { REDIS_URL, freePort, repoRoot, startService, type RunningService } from '../test-support/services.js';

// The pytest-platform CLI against real ingest and API processes: importing a build's per-class
// report files, importing them again, and summarising a run from the API.

const cliPath = path.join(repoRoot, 'shared/reporter/bin/pytest-platform.js');
const reportsDir = path.join(repoRoot, 'test-support/fixtures/reports');
const dir = mkdtempSync(path.join(tmpdir(), 'pp-e2e-cli-'));
const stream = randomStream('e2e-cli');
const redis = new Redis(REDIS_URL);
const services: RunningService[] = [];
let api = '';

type Finished = { code: number; stdout: string; stderr: string };
type Run = { run_id: string; summary: Record<string, number>; status: string };

function cli(args: string[], env: Record<string, string> = {}, cwd = reportsDir): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: dir, REDIS_URL, RESULTS_STREAM: stream, PYTEST_PLATFORM_SPOOL_DIR: path.join(dir, 'spool'), API_URL: api, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const sentRunId = (result: Finished) => {
  const id = /^pytest-platform: run (\S+) · /m.exec(result.stderr)?.[1];
  if (!id) throw new Error(`no end line:\n${result.stderr}`);
  return id;
};

const fieldsOf = (fields: unknown[]) => Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [String(fields[2 * i]), fields[2 * i + 1]]));

/** Resolves once ingest has read and acknowledged every entry on the stream. */
async function drained(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = fieldsOf((await redis.xinfo('STREAM', stream)) as unknown[]);
    const group = ((await redis.xinfo('GROUPS', stream)) as unknown[][]).map(fieldsOf).find((g) => g.name === INGEST_GROUP);
    if (group && group.pending === 0 && group['entries-read'] === info['entries-added']) return;
    if (Date.now() > deadline) throw new Error(`ingest did not drain ${stream}: ${JSON.stringify(group)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const runsOf = async (project: string) => ((await (await fetch(`${api}/results?project=${encodeURIComponent(project)}`)).json()) as { items: Run[] }).items;

function junit(name: string, timestamp: string, cases: { name: string; failure?: string }[]): string {
  const file = path.join(dir, `${name}-${randomUUID().slice(0, 8)}.xml`);
  const body = cases.map((c) => `  <testcase classname="shop.Cart" name="${c.name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')}" time="0.01">${c.failure ? `<failure message="${c.failure}"/>` : ''}</testcase>`).join('\n');
  writeFileSync(file, `<?xml version="1.0"?>\n<testsuite name="shop.Cart" timestamp="${timestamp}" tests="${cases.length}">\n${body}\n</testsuite>\n`);
  return file;
}

beforeAll(async () => {
  buildPackages('shared/reporter');
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const env = { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: path.join(dir, 'e2e.sqlite') };
  services.push(await startService('ingest', { ...env, INGEST_BLOCK_MS: '200' }));
  services.push(await startService('api', { ...env, API_PORT: String(port) }));
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('pytest-platform import through ingest and the API', () => {
  it('a build\'s Surefire and Gradle per-class files imported at once are ONE run with their summed counts; a second import stores nothing new', async () => {
    const project = `e2e-import-${randomUUID().slice(0, 8)}`;
    const files = ['junit/maven-surefire', 'junit/gradle'].flatMap((sub) => readdirSync(path.join(reportsDir, sub)).filter((f) => f.endsWith('.xml')).map((f) => path.join(reportsDir, sub, f)));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const identity = resolveIdentity({ env: { PROJECT: project }, cwd: reportsDir });
    let expected = emptySummary();
    for (const file of files) expected = addSummaries(expected, (await importReportFile(file, { identity })).summary!);

    const first = await cli(['import', '--project', project, 'junit/maven-surefire', 'junit/gradle']);
    expect(first.code, first.stderr).toBe(0);
    await drained();
    const [run, ...more] = await runsOf(project);
    expect(more).toEqual([]);
    expect(run!.run_id).toBe(sentRunId(first));
    expect(run!.summary).toMatchObject({ ...expected });

    const again = await cli(['import', '--project', project, 'junit/gradle', 'junit/maven-surefire']);
    expect(again.code, again.stderr).toBe(0);
    expect(sentRunId(again)).toBe(run!.run_id);
    await drained();
    expect(await runsOf(project)).toEqual([run]);
  });
});

describe('pytest-platform summary --run', () => {
  const project = `e2e-summary-${randomUUID().slice(0, 8)}`;
  let base = '';
  let head = '';

  beforeAll(async () => {
    const older = junit('base', '2026-11-20T10:00:00', [{ name: 'adds | <b>`x`</b>' }, { name: 'totals', failure: 'expected 6, got 5' }]);
    const newer = junit('head', '2026-11-20T11:00:00', [
      { name: 'adds | <b>`x`</b>', failure: 'AssertionError: 1 != 2' },
      { name: 'totals', failure: 'expected 6, got 5' },
      { name: 'ships' },
    ]);
    base = sentRunId(await cli(['import', '--project', project, '--branch', 'main', older]));
    head = sentRunId(await cli(['import', '--project', project, '--branch', 'main', newer]));
    await drained();
  });

  it('prints the step-summary Markdown and the new failures against the branch\'s previous run', async () => {
    const result = await cli(['summary', '--run', head], { PYTEST_PLATFORM_URL: 'https://tests.example.com' });
    expect(result.code, result.stderr).toBe(0);
    const markdown = result.stdout;
    expect(markdown).toContain(`### ❌ ${project}: 2 failed, 1 passed, 0 skipped`);
    expect(markdown).toContain(`[${head}](https://tests.example.com/runs/${head})`);
    expect(markdown).toContain('| shop.Cart::totals | expected 6, got 5 |');
    const newFailures = markdown.slice(markdown.indexOf('#### New failures'));
    expect(newFailures).toContain(`#### New failures: 1 since the branch's previous run ${base}`);
    expect(newFailures).toContain('| shop.Cart::adds \\| &lt;b&gt;\\`x\\`&lt;/b&gt; | AssertionError: 1 != 2 |');
    expect(newFailures).not.toContain('totals');
  });

  it('says so when the branch has no earlier run', async () => {
    const result = await cli(['summary', '--run', base]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`### ❌ ${project}: 1 failed, 1 passed, 0 skipped`);
    expect(result.stdout).toContain('No earlier run of branch main to compare with.');
  });

  it('an unknown run or an unreachable API: one clear line, exit 1', async () => {
    const unknown = await cli(['summary', '--run', 'no-such-run']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(`pytest-platform: summary: the API at ${api} has no run no-such-run`);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await cli(['summary', '--run', head], { API_URL: closed });
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toBe(`pytest-platform: summary: cannot reach the API at ${closed} (ECONNREFUSED); set API_URL to where it listens`);
    expect(down.stdout).toBe('');
  });
});
