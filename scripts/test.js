// `npm test`: installs what the tests need, makes sure Redis answers, then runs every test
// (vitest over all workspaces, and the pytest plugin's own pytest suite) and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgres } from './lib/local-postgres.js';
import { ensureRedis } from './lib/local-redis.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (line) => process.stderr.write(`[test] ${line}\n`);
const run = (cmd, args, env = process.env) => spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' }).status ?? 1;

if (run('bash', ['scripts/ensure-test-deps.sh']) !== 0) process.exit(1);

let redis;
try {
  redis = await ensureRedis({ log: say });
} catch (error) {
  say(error.message);
  process.exit(1);
}
let pgUrl;
try {
  pgUrl = await ensurePostgres();
} catch (error) {
  say(error.message);
  await redis.stop();
  process.exit(1);
}
const env = { ...process.env, REDIS_URL: redis.url, PG_TEST_URL: pgUrl };
const reports = mkdtempSync(join(tmpdir(), 'pp-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
let failed = false;

try {
  const extra = process.argv.slice(2);
  const vitest = (name, args, passEnv) => {
    const json = join(reports, `${name}.json`);
    const code = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...args], passEnv);
    if (code !== 0) failed = true;
    if (!existsSync(json)) {
      failed = true;
      return;
    }
    const r = JSON.parse(readFileSync(json, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  };

  // Test files are isolated from each other (their own stream, database, ports), and most of their
  // time is spent waiting on the processes they start: two at a time, whatever the core count. The
  // fault-injection scenarios load the machine on purpose, so they run alone, after the rest.
  const workers = ['--maxWorkers', process.env.TEST_WORKERS ?? '2'];
  if (extra.length === 0) {
    // Every test, on SQLite (the db package's own tests cover both dialects).
    vitest('vitest', [...workers, '--project', '!faults'], env);
    vitest('vitest-faults', ['--project', 'faults'], env);
    // The API suite again with every store on Postgres (DATABASE_URL=postgres://…), and the MCP tools
    // and HTTP server over it: the rest of the MCP suite renders what these return.
    say('the API suite and the MCP tools again, on Postgres');
    vitest('vitest-postgres', [...workers, '--project', '@pytest-platform/api', '--exclude', '**/*.fuzz.test.ts'], { ...env, TEST_DATABASE: 'postgres' });
    vitest('vitest-postgres-mcp', [...workers, '--project', '@pytest-platform/mcp', 'test/stdio.test.ts', 'test/http.test.ts'], { ...env, TEST_DATABASE: 'postgres' });
  } else {
    vitest('vitest', extra, env);
  }

  const python = 'shared/pytest-plugin/.venv/bin/python';
  if (extra.length === 0 && existsSync(join(root, python))) {
    const junit = join(reports, 'pytest.xml');
    const pytest = run(python, ['-m', 'pytest', 'shared/pytest-plugin/tests', '-q', '-p', 'no:cacheprovider', `--junitxml=${junit}`], env);
    if (pytest !== 0) failed = true;
    if (existsSync(junit)) {
      const xml = readFileSync(junit, 'utf8');
      const attr = (name) => Number(/<testsuite [^>]*/.exec(xml)?.[0].match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
      const ran = attr('tests'), fails = attr('failures') + attr('errors'), skips = attr('skipped');
      totals.passed += ran - fails - skips;
      totals.failed += fails;
      totals.skipped += skips;
    } else {
      failed = true;
    }
  }
} finally {
  await redis.stop();
  rmSync(reports, { recursive: true, force: true });
}

if (failed && totals.failed === 0) totals.failed = 1; // a runner that crashed still fails the suite
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
