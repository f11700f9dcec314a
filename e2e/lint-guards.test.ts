import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../test-support/services.js';

// `npm run lint` keeps the structure: no import cycle, no unused file, export or dependency. Each
// guard runs here on a copy of the tree with one violation planted, and must fail naming it.

let copy = '';

type Result = { code: number; output: string };

function npmRun(script: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', script], { cwd: copy, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, timeout: 240_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }));
  });
}

function plant(file: string, text: string): () => void {
  const path = join(copy, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return () => rmSync(path);
}

function append(file: string, text: string): () => void {
  const path = join(copy, file);
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, original + text);
  return () => writeFileSync(path, original);
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'pp-lint-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of files) {
    if (file.startsWith('test-support/fixtures/') || !existsSync(join(repoRoot, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(copy, file), { verbatimSymlinks: true });
  }
  // The copy's workspace links point into the copy, as `npm ci` would make them.
  mkdirSync(join(copy, 'node_modules'));
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry === '@pytest-platform') continue;
    symlinkSync(join(repoRoot, 'node_modules', entry), join(copy, 'node_modules', entry));
  }
  mkdirSync(join(copy, 'node_modules/@pytest-platform'));
  for (const [name, dir] of [['config', 'shared/config'], ['redis', 'shared/redis'], ['schema', 'shared/schema'], ['db', 'shared/db'], ['reporter', 'shared/reporter'], ['ingest', 'services/ingest'], ['api', 'services/api'], ['mcp', 'services/mcp']]) {
    symlinkSync(join(copy, dir!), join(copy, 'node_modules/@pytest-platform', name!));
  }
}, 120_000);

afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('lint guards', () => {
  it('the copy as it is passes both', async () => {
    const unused = await npmRun('lint:unused');
    expect(unused.code, unused.output).toBe(0);
    const cycles = await npmRun('lint:cycles');
    expect(cycles.code, cycles.output).toBe(0);
  }, 300_000);

  it('an import cycle inside a package fails lint:cycles, naming its files', async () => {
    const removeA = plant('services/api/src/cycle-a.ts', "import { b } from './cycle-b.js';\nexport const a = (): number => b() + 1;\n");
    const removeB = plant('services/api/src/cycle-b.ts', "import { a } from './cycle-a.js';\nexport const b = (): number => (Math.random() > 2 ? a() : 0);\n");
    try {
      const result = await npmRun('lint:cycles');
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/cycle-a\.ts > .*cycle-b\.ts|cycle-b\.ts > .*cycle-a\.ts/);
    } finally {
      removeA();
      removeB();
    }
  }, 300_000);

  it('an unused export, an unused file and an unused dependency each fail lint:unused, by name', async () => {
    const removeFile = plant('shared/db/src/forgotten-helper.ts', 'export const forgotten = 1;\n');
    const restoreExport = append('services/mcp/src/render/escape.ts', '\nexport const neverImported = 2;\n');
    const manifest = join(copy, 'services/api/package.json');
    const original = readFileSync(manifest, 'utf8');
    const withExtra = JSON.parse(original) as { dependencies: Record<string, string> };
    withExtra.dependencies['left-pad'] = '^1.3.0';
    writeFileSync(manifest, JSON.stringify(withExtra, null, 2));
    try {
      const result = await npmRun('lint:unused');
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('shared/db/src/forgotten-helper.ts');
      expect(result.output).toMatch(/neverImported\s+services\/mcp\/src\/render\/escape\.ts/);
      expect(result.output).toMatch(/left-pad\s+services\/api\/package\.json/);
    } finally {
      writeFileSync(manifest, original);
      removeFile();
      restoreExport();
    }
  }, 300_000);
});
