// Builds what `@pytest-platform/reporter` ships in `dist/`: one ES module per entry point with the
// workspace packages it uses (@pytest-platform/config, @pytest-platform/schema, @pytest-platform/redis, and schema's
// contract.json) inlined and its registry dependencies left as imports, plus the declarations that
// `tsc -b` emitted, with those of the inlined workspace packages copied beside them. The workspace
// loads the same files (runners resolve `@pytest-platform/reporter/vitest` to `dist/`), so every
// test of a runner reporter or the CLI tests what ships.
//
//   node scripts/bundle.js             JavaScript and declarations (after `tsc -b`, which emits them)
//   node scripts/bundle.js --no-types  JavaScript only, and only when a source changed (what tests need)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(packageDir, 'dist');
const stampFile = path.join(packageDir, 'build/.bundle-stamp');
const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
const withTypes = !process.argv.includes('--no-types');

/** Entry points: `src/<name>.ts` → `dist/<name>.js`, as the exports map and the bin name them. */
const entryPoints = ['index', 'vitest-reporter', 'jest-reporter', 'node-test-reporter', 'playwright-reporter', 'cli'];

/** The workspace packages inlined, with where their declarations go inside `dist/`. */
const workspacePackages = [
  { name: '@pytest-platform/config', dir: path.resolve(packageDir, '../config'), types: 'workspace/config' },
  { name: '@pytest-platform/schema', dir: path.resolve(packageDir, '../schema'), types: 'workspace/schema' },
  { name: '@pytest-platform/redis', dir: path.resolve(packageDir, '../redis'), types: 'workspace/redis' },
];

/** Imported, never bundled: the package's own dependencies and the runners that load the reporters (types only). */
const external = new Set([...Object.keys(manifest.dependencies ?? {}), 'vitest', '@playwright/test']);

const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * Registry dependencies stay imports and workspace packages are inlined; any other bare import is
 * an error, so nothing gets inlined unnoticed or breaks an install by being neither.
 */
const dependencies = {
  name: 'dependencies',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('@pytest-platform/')) return undefined;
      if (external.has(packageName(args.path))) return { path: args.path, external: true };
      return { errors: [{ text: `${args.path} is neither a dependency of ${manifest.name} nor a workspace package: add it to "dependencies"` }] };
    });
  },
};

const filesUnder = (dir) => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((file) => statSync(path.join(dir, file)).isFile()) : []);

/** Changes whenever a source the bundle is made of changes: names, sizes and modification times. */
function inputStamp() {
  const hash = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).update(readFileSync(path.join(packageDir, 'package.json')));
  for (const dir of [path.join(packageDir, 'src'), ...workspacePackages.map((workspace) => path.join(workspace.dir, 'src'))]) {
    for (const file of filesUnder(dir).sort()) {
      const info = statSync(path.join(dir, file));
      hash.update(`${dir}/${file}:${info.size}:${info.mtimeMs}\n`);
    }
  }
  return hash.digest('hex');
}

/**
 * Bundles into a temporary directory, then moves each file over its old version (a rename, so a
 * runner loading `dist/` at the same moment never reads half a file) and removes what the new
 * build no longer has.
 */
async function bundleJavaScript() {
  const temp = mkdtempSync(path.join(packageDir, '.dist-'));
  try {
    await build({
      absWorkingDir: packageDir,
      entryPoints: entryPoints.map((name) => `src/${name}.ts`),
      outdir: temp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['@pytest-platform/source'],
      plugins: [dependencies],
      // Chunks beside the entry points: `new URL('../schemas/…', import.meta.url)` must work from every file.
      chunkNames: 'chunk-[hash]',
      legalComments: 'none',
      logLevel: 'warning',
    });
    const built = new Set(filesUnder(temp));
    mkdirSync(dist, { recursive: true });
    for (const file of built) renameSync(path.join(temp, file), path.join(dist, file));
    for (const file of filesUnder(dist).filter((name) => name.endsWith('.js') && !name.includes(path.sep) && !built.has(name))) unlinkSync(path.join(dist, file));
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * Copies the declarations `tsc -b` emitted for this package and the workspace packages it inlines
 * into `dist/`, pointing imports of those packages at the copies, so the types resolve with only
 * the registry dependencies installed.
 */
function copyDeclarations() {
  const sources = [
    { from: path.join(packageDir, 'build/types'), src: path.join(packageDir, 'src'), to: dist },
    ...workspacePackages.map((workspace) => ({ from: path.join(workspace.dir, 'dist'), src: path.join(workspace.dir, 'src'), to: path.join(dist, workspace.types) })),
  ];
  rmSync(path.join(dist, 'workspace'), { recursive: true, force: true });
  for (const file of filesUnder(dist).filter((name) => name.endsWith('.d.ts'))) unlinkSync(path.join(dist, file));
  for (const { from, src, to } of sources) {
    if (!existsSync(from)) throw new Error(`${from} is missing: run \`tsc -b\` first`);
    // tsc leaves the output of a deleted source behind; only what a source still emits ships.
    const declarations = filesUnder(from).filter((name) => name.endsWith('.d.ts') && existsSync(path.join(src, name.replace(/\.d\.ts$/, '.ts'))));
    for (const file of declarations) {
      const target = path.join(to, file);
      const text = readFileSync(path.join(from, file), 'utf8').replace(/(from |import\()(['"])(@pytest-platform\/[^'"]+)\2/g, (_whole, lead, quote, specifier) => {
        const workspace = workspacePackages.find((candidate) => candidate.name === specifier);
        if (workspace === undefined) throw new Error(`${file} imports ${specifier}, which is not inlined`);
        const relative = path.relative(path.dirname(target), path.join(dist, workspace.types, 'index.js')).split(path.sep).join('/');
        return `${lead}${quote}${relative.startsWith('.') ? relative : `./${relative}`}${quote}`;
      });
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
    }
  }
}

const started = Date.now();
const stamp = inputStamp();
const upToDate = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && entryPoints.every((name) => existsSync(path.join(dist, `${name}.js`)));
if (!upToDate || withTypes) await bundleJavaScript();
if (withTypes) copyDeclarations();
mkdirSync(path.dirname(stampFile), { recursive: true });
writeFileSync(stampFile, stamp);
if (!upToDate || withTypes) {
  const size = filesUnder(dist).reduce((sum, file) => sum + statSync(path.join(dist, file)).size, 0);
  process.stderr.write(`bundled ${manifest.name} into dist/ (${Math.round(size / 1024)} KiB) in ${Date.now() - started} ms\n`);
}
