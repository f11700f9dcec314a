import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream } from '../test-support/runs.js';
import { REDIS_URL, freePort, repoRoot, startService, type RunningService } from '../test-support/services.js';

// A stranger's first day: the reporter packed with `npm pack` and the pytest plugin built as a wheel,
// each installed in a fresh project outside this repository, each running a small suite in the same
// GitHub Actions job, through real ingest and API processes.

const root = mkdtempSync(path.join(tmpdir(), 'pp-install-'));
const stream = randomStream('e2e-install');
const spoolDir = path.join(root, 'spool');
const runId = String(randomInt(1_000_000, 9_999_999));
const MB = 1_000_000;
const redis = new Redis(REDIS_URL);
const services: RunningService[] = [];
let api = '';
/** The MCP service, where every end-of-run link points. */
let PUBLIC_URL = '';

type Finished = { code: number; stdout: string; stderr: string };

/** This process's environment without what `npm run` adds (`npm_config_*` would configure the npm calls below). */
const plainEnv = () => Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD')) as Record<string, string>;

function exec(command: string, args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? plainEnv(), timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * MB },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function must(command: string, args: string[], options: Parameters<typeof exec>[2]): Promise<Finished> {
  const result = await exec(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** One GitHub Actions job, with the platform's Redis in its own variable and the application's Redis dead. */
let jobEnv: Record<string, string> = {};

/** Bytes of every file under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** `node_modules/<name>` directories anywhere under `dir`. */
function installedNamed(dir: string, name: string): string[] {
  const found: string[] = [];
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const full = path.join(modules, entry.name);
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(full, { withFileTypes: true })) if (scoped.isDirectory()) walk(path.join(full, scoped.name, 'node_modules'));
        continue;
      }
      if (entry.name === name) found.push(full);
      walk(path.join(full, 'node_modules'));
    }
  };
  walk(path.join(dir, 'node_modules'));
  return found;
}

/** The reporter's directory and those of everything it depends on, as npm resolved them (`node_modules/.package-lock.json`). */
function reporterClosure(project: string): string[] {
  const lock = JSON.parse(readFileSync(path.join(project, 'node_modules/.package-lock.json'), 'utf8')) as {
    packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
  };
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key) || !lock.packages[key]) return;
    seen.add(key);
    const info = lock.packages[key]!;
    for (const name of Object.keys({ ...info.dependencies, ...info.optionalDependencies })) {
      // Node's resolution: the nearest node_modules/<name> walking up from the dependent.
      for (let base = key; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
        const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
        if (lock.packages[candidate]) {
          visit(candidate);
          break;
        }
        if (base === '') break;
      }
    }
  };
  visit('node_modules/@pytest-platform/reporter');
  return [...seen].map((key) => path.join(project, key));
}

const endLine = (output: string) => output.split('\n').filter((line) => line.startsWith('pytest-platform: run '));

type Run = { run_id: string; project: string; framework: string; build_id: string | null; summary: Record<string, number> };

async function runsOf(project: string, count: number, timeoutMs = 30_000): Promise<Run[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${api}/results?project=${encodeURIComponent(project)}`)).json()) as { items: Run[] };
    if (body.items.length >= count) return body.items;
    if (Date.now() > deadline) throw new Error(`runs of ${project}: ${JSON.stringify(body.items)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let tarball = '';
let vitestProject = '';
let pytestProject = '';
let venvPython = '';
let wheelFile = '';
const outputs: { vitest?: Finished; pytest?: Finished } = {};

beforeAll(async () => {
  const deadPort = await freePort();
  const mcpPort = await freePort();
  PUBLIC_URL = `http://127.0.0.1:${mcpPort}`;
  jobEnv = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
    GITHUB_ACTIONS: 'true', CI: 'true', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: '2',
    GITHUB_SHA: '9fceb02d0ae598e95dc970b74767f19372d61af8', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main',
    GITHUB_SERVER_URL: 'https://github.com', GITHUB_WORKFLOW: 'ci', GITHUB_JOB: 'test', RUNNER_NAME: 'GitHub Actions 7',
    PYTEST_PLATFORM_REDIS_URL: REDIS_URL, REDIS_URL: `redis://127.0.0.1:${deadPort}`, RESULTS_STREAM: stream,
    PYTEST_PLATFORM_SPOOL_DIR: spoolDir, PYTEST_PLATFORM_URL: PUBLIC_URL,
  };

  // ingest and the API on a temp SQLite and this test's stream
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const serviceEnv = { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: path.join(root, 'e2e.sqlite') };
  services.push(await startService('ingest', { ...serviceEnv, INGEST_BLOCK_MS: '200' }));
  services.push(await startService('api', { ...serviceEnv, API_PORT: String(port) }));
  services.push(await startService('mcp', { REDIS_URL, API_URL: api, MCP_PORT: String(mcpPort) }));

  // npm pack (its prepack builds and bundles), outside the workspace
  const packDir = path.join(root, 'pack');
  mkdirSync(packDir);
  const packed = await must('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: path.join(repoRoot, 'shared/reporter') });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [{ filename: string; size: number; unpackedSize: number }];
  tarball = path.join(packDir, info.filename);
  console.log(`reporter tarball: ${(info.size / 1024).toFixed(0)} kB packed, ${(info.unpackedSize / 1024).toFixed(0)} kB unpacked`);

  vitestProject = path.join(root, 'vitest-project');
  mkdirSync(path.join(vitestProject, 'test'), { recursive: true });
  writeFileSync(path.join(vitestProject, 'package.json'), JSON.stringify({ name: 'shop-web', private: true, type: 'module' }));
  // @types/node as any TypeScript project on Node has it: the declarations use Node's types.
  await must('npm', ['install', '--no-audit', '--no-fund', tarball, 'vitest@4', '@types/node@20'], { cwd: vitestProject, timeoutMs: 540_000 });

  // the pytest plugin's wheel, in a fresh virtualenv (pytest from the system, or the configured index)
  const wheelDir = path.join(root, 'wheel');
  await must('python3', ['-m', 'pip', 'wheel', '--no-deps', '--quiet', path.join(repoRoot, 'shared/pytest-plugin'), '-w', wheelDir], { cwd: root });
  const venv = path.join(root, 'venv');
  await must('python3', ['-m', 'venv', '--system-site-packages', venv], { cwd: root });
  venvPython = path.join(venv, 'bin/python');
  const wheel = readdirSync(wheelDir).find((file) => file.endsWith('.whl'));
  if (!wheel) throw new Error(`no wheel in ${wheelDir}`);
  wheelFile = path.join(wheelDir, wheel);
  await must(venvPython, ['-m', 'pip', 'install', '--quiet', wheelFile], { cwd: root });
  pytestProject = path.join(root, 'pytest-project');
  mkdirSync(pytestProject);
}, 900_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
  rmSync(root, { recursive: true, force: true });
});

describe('installed from the packages, outside the repository', () => {
  it('the reporter installs without a database driver, in at most 15 MB with its dependencies', () => {
    for (const name of ['better-sqlite3', 'pg', 'kysely']) expect(installedNamed(vitestProject, name), name).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(vitestProject, 'node_modules/@pytest-platform/reporter/package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts?: Record<string, string> };
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@pytest-platform/'))).toEqual([]);
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => /install/.test(name))).toEqual([]);
    const closure = reporterClosure(vitestProject);
    const size = closure.reduce((sum, dir) => sum + bytesUnder(dir), 0);
    console.log(`reporter installed size with its ${closure.length - 1} dependencies: ${(size / MB).toFixed(1)} MB (${closure.map((dir) => path.relative(vitestProject, dir).replace(/^node_modules\//, '')).join(', ')})`);
    expect(size).toBeLessThanOrEqual(15 * MB);
    expect(closure.some((dir) => readdirSync(dir).some((file) => file.endsWith('.node')))).toBe(false);
  });

  it('the plugin\'s wheel needs pytest alone', async () => {
    const script = [
      'import sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))',
      'for line in z.read(meta).decode().splitlines():',
      '    if line.startswith("Requires-Dist:") and "extra ==" not in line: print(line.split(":", 1)[1].strip())',
    ].join('\n');
    const requires = await must('python3', ['-c', script, wheelFile], { cwd: root });
    expect(requires.stdout.trim().split('\n').map((line) => line.split(/[<>=!~ ;]/)[0])).toEqual(['pytest']);
  });

  it('its exports, types and bin work without the workspace packages', async () => {
    const check = path.join(vitestProject, 'check.ts');
    writeFileSync(check, [
      "import { RunCollector, readReporterConfig, importReportText, type RunIdentity } from '@pytest-platform/reporter';",
      "import VitestReporter, { type VitestReporterOptions } from '@pytest-platform/reporter/vitest';",
      "import JestReporter from '@pytest-platform/reporter/jest';",
      "import nodeTestReporter from '@pytest-platform/reporter/node-test';",
      'const identity: RunIdentity = { project: "p", branch: null, commit: null, worker_id: "w", build_id: null, shard: null, environment: {} };',
      'const options: VitestReporterOptions = {};',
      'export const used = [RunCollector, readReporterConfig(process.env).stream, importReportText, identity, options, VitestReporter, JestReporter, nodeTestReporter];',
      '',
    ].join('\n'));
    writeFileSync(path.join(vitestProject, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] },
      files: ['check.ts'],
    }));
    const tsc = await exec(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', vitestProject], { cwd: vitestProject });
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);

    const modules = await exec(process.execPath, ['--input-type=module', '-e', [
      "const names = ['', '/vitest', '/jest', '/node-test', '/playwright'];",
      "const loaded = await Promise.all(names.map((n) => import('@pytest-platform/reporter' + n)));",
      "console.log(JSON.stringify(loaded.map((m) => typeof (m.default ?? m.RunCollector))));",
      "console.log(import.meta.resolve('@pytest-platform/reporter/ctrf-1.0.schema.json'));",
    ].join('\n')], { cwd: vitestProject });
    expect(modules.code, modules.stderr).toBe(0);
    const [types, schema] = modules.stdout.trim().split('\n');
    expect(JSON.parse(types!)).toEqual(['function', 'function', 'function', 'function', 'function']);
    expect(existsSync(new URL(schema!))).toBe(true);

    const bin = path.join(vitestProject, 'node_modules/.bin/pytest-platform');
    const version = await exec(bin, ['--version'], { cwd: vitestProject });
    expect(version.stdout.trim()).toBe('0.1.0');
    const dryRun = await exec(bin, ['import', '--dry-run', path.join(repoRoot, 'test-support/fixtures/reports/junit/gradle')], { cwd: vitestProject, env: { ...jobEnv } });
    expect(dryRun.code, dryRun.stderr).toBe(0);
    const imported = JSON.parse(dryRun.stdout) as { project: string; build_id: string; run_id: string; tests: unknown[] };
    expect(imported).toMatchObject({ project: 'acme/shop', build_id: `${runId}.2`, run_id: expect.stringMatching(/^import-[0-9a-f]{32}$/) });
    expect(imported.tests.length).toBeGreaterThan(0);
  }, 240_000);

  it('a vitest suite and a pytest suite of one GitHub Actions job land in acme/shop as one build; nothing spooled', async () => {
    writeFileSync(path.join(vitestProject, 'vitest.config.mjs'), [
      "import { defineConfig } from 'vitest/config';",
      "export default defineConfig({ test: { include: ['test/**/*.test.mjs'], reporters: ['default', '@pytest-platform/reporter/vitest'] } });",
      '',
    ].join('\n'));
    writeFileSync(path.join(vitestProject, 'test/cart.test.mjs'), [
      "import { expect, test } from 'vitest';",
      "test('adds an item', () => expect(1 + 1).toBe(2));",
      "test('totals the cart', () => expect(2 * 3).toBe(6));",
      "test('applies the coupon', () => expect(10 - 1).toBe(8));",
      // Fixture content: a skipped test, so the end line and the stored run count a skip (`1 skipped`).
      "test.skip('ships abroad', () => {});",
      '',
    ].join('\n'));
    outputs.vitest = await exec(process.execPath, ['node_modules/vitest/vitest.mjs', 'run'], { cwd: vitestProject, env: jobEnv, timeoutMs: 180_000 });
    expect(outputs.vitest.code, outputs.vitest.stdout + outputs.vitest.stderr).toBe(1);

    writeFileSync(path.join(pytestProject, 'test_checkout.py'), [
      'import pytest',
      '',
      'def test_pays():',
      '    assert 1 + 1 == 2',
      '',
      'def test_refunds():',
      '    assert 2 - 1 == 0',
      '',
      // Fixture content: a skipped test, so the end line and the stored run count a skip.
      '@pytest.mark.skip(reason="not yet")',
      'def test_invoices():',
      '    pass',
      '',
    ].join('\n'));
    outputs.pytest = await exec(venvPython, ['-m', 'pytest', '-p', 'no:cacheprovider', 'test_checkout.py'], { cwd: pytestProject, env: jobEnv, timeoutMs: 180_000 });
    expect(outputs.pytest.code, outputs.pytest.stdout + outputs.pytest.stderr).toBe(1);

    const runs = await runsOf('acme/shop', 2);
    expect(runs.map((run) => run.framework).sort()).toEqual(['pytest', 'vitest']);
    const buildIds = new Set(runs.map((run) => run.build_id));
    expect([...buildIds]).toEqual([`${runId}.2`]);
    const build = (await (await fetch(`${api}/builds/${encodeURIComponent(`${runId}.2`)}?project=acme/shop`)).json()) as { run_count: number; summary: Record<string, number>; runs: Run[] };
    expect(build.run_count).toBe(2);
    const [a, b] = runs as [Run, Run];
    for (const key of ['total', 'passed', 'failed', 'skipped'] as const) expect(build.summary[key], key).toBe(a.summary[key]! + b.summary[key]!);
    expect(build.summary).toMatchObject({ total: 7, passed: 3, failed: 2, skipped: 2 });
    expect(existsSync(spoolDir) ? readdirSync(spoolDir) : []).toEqual([]);
  }, 400_000);

  it('each prints its end line: run id, counts, and a link that opens the run', async () => {
    const vitestLines = endLine(outputs.vitest!.stderr);
    const pytestLines = endLine(outputs.pytest!.stderr + outputs.pytest!.stdout);
    console.log(`vitest: ${vitestLines.join(' | ')}\npytest: ${pytestLines.join(' | ')}`);
    const format = (counts: string) => new RegExp(`^pytest-platform: run (\\S+) · ${counts} → ${PUBLIC_URL.replace(/\./g, '\\.')}/runs/\\1$`);
    expect(vitestLines).toEqual([expect.stringMatching(format('1 failed, 2 passed, 1 skipped'))]);
    expect(pytestLines).toEqual([expect.stringMatching(format('1 failed, 1 passed, 1 skipped'))]);
    for (const line of [...vitestLines, ...pytestLines]) {
      const link = line.slice(line.indexOf('→ ') + 2);
      const page = await fetch(link);
      expect(page.status, link).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('acme/shop');
    }
  });
});
