import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '@pytest-platform/schema';
import { glob } from 'tinyglobby';
import { backupDatabase } from './backup.js';
import { deliverRuns, flushSpoolDir, stderrLog } from './deliver-runs.js';
import { ImportError } from './import-error.js';
import { importReportFile } from './import-report.js';
import { readReporterConfig } from './reporter-config.js';
import type { ReporterConfig } from './reporter-config.js';
import { resolveIdentity } from './run-identity.js';
import type { IdentityOverrides } from './run-identity.js';

export const HELP = `Usage: pytest-platform <command> [options]

Commands:
  import <files or globs…>   import JUnit XML / CTRF JSON reports, one run per file
  flush                      send the runs waiting in the spool directory
  run [--junit <glob>] -- <command…>
                             run a test command, pass its output and exit code through,
                             then import its JUnit report and send it; pytest and
                             "python -m pytest" get --junitxml added automatically
  backup <file>              copy the SQLite database (DATABASE_URL) to <file> with an online
                             backup; ingest and the API keep running
  digest --send-now [--project P] | --preview <out.html>
                             the e-mail digest: runs pytest-platform-mcp digest (the MCP
                             service, @pytest-platform/mcp, must be installed)

Options:
  --project, --branch, --commit, --worker-id <value>
                             override the run identity (else PROJECT/BRANCH/COMMIT/WORKER_ID,
                             CI variables, git, hostname)
  --strict                   import: validate CTRF against the CTRF 1.0 JSON Schema
  --dry-run                  import: print each RunResult as one JSON line instead of sending
  --junit <path or glob>     run: the JUnit file(s) the command writes
  -h, --help                 show this help

Environment: REDIS_URL (default redis://127.0.0.1:6379), RESULTS_STREAM,
PYTEST_PLATFORM_SPOOL_DIR, PYTEST_PLATFORM_STOP_TIMEOUT; DATABASE_URL (backup).
`;

const OPTIONS = {
  project: { type: 'string' },
  branch: { type: 'string' },
  commit: { type: 'string' },
  'worker-id': { type: 'string' },
  strict: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  junit: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const PROGRESS_EVERY = 20;
const SEND_BATCH = 100;

const fail = (line: string) => process.stderr.write(`pytest-platform: ${line}\n`);

/** Files named by paths or glob patterns, in argument order, without repeats. */
export async function expandPatterns(patterns: readonly string[], cwd: string): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const literal = path.resolve(cwd, pattern);
    const matches = existsSync(literal) && statSync(literal).isFile()
      ? [literal]
      : (await glob(pattern, { cwd, absolute: true, onlyFiles: true, expandDirectories: false })).sort();
    if (matches.length === 0) missing.push(pattern);
    for (const file of matches) {
      if (!seen.has(file)) files.push(file);
      seen.add(file);
    }
  }
  return { files, missing };
}

interface ImportSettings {
  config: ReporterConfig;
  overrides: IdentityOverrides;
  strict: boolean;
  dryRun: boolean;
  cwd: string;
}

/** Imports files one by one, sending in batches; returns how many were rejected. */
async function importFiles(files: readonly string[], settings: ImportSettings): Promise<number> {
  const identity = resolveIdentity({ cwd: settings.cwd, overrides: settings.overrides });
  const pending: RunResult[] = [];
  let rejected = 0;
  let sent = 0;
  let spooled = 0;
  const send = async () => {
    if (settings.dryRun || pending.length === 0) return;
    const delivery = await deliverRuns(settings.config, pending.splice(0));
    sent += delivery.sent;
    spooled += delivery.spooled;
  };
  for (const [index, file] of files.entries()) {
    const shown = path.relative(settings.cwd, file) || file;
    try {
      const run = await importReportFile(file, { identity, strict: settings.strict, cwd: settings.cwd });
      if (settings.dryRun) process.stdout.write(`${JSON.stringify(run)}\n`);
      else pending.push(run);
    } catch (error) {
      rejected += 1;
      fail(`${shown}: rejected: ${error instanceof ImportError ? error.reason : (error as Error).message}`);
    }
    if (pending.length >= SEND_BATCH) await send();
    if (files.length > PROGRESS_EVERY && ((index + 1) % PROGRESS_EVERY === 0 || index + 1 === files.length)) {
      process.stderr.write(`pytest-platform: ${index + 1}/${files.length} files read, ${rejected} rejected\n`);
    }
  }
  await send();
  if (!settings.dryRun) {
    const where = spooled > 0 ? `, ${spooled} spooled` : '';
    process.stderr.write(`pytest-platform: ${sent} run(s) sent to ${settings.config.stream}${where}, ${rejected} file(s) rejected\n`);
  }
  return rejected;
}

function isPytest(command: readonly string[]): boolean {
  const [program, ...args] = command;
  if (program === undefined) return false;
  const name = path.basename(program).replace(/\.exe$/i, '');
  if (name === 'pytest' || name === 'py.test') return true;
  const module = args.indexOf('-m');
  return /^python[\d.]*$/.test(name) && module >= 0 && args[module + 1] === 'pytest';
}

/** `--junitxml=PATH` or `--junitxml PATH` already in a pytest command. */
function existingJunitxml(args: readonly string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg.startsWith('--junitxml=') || arg.startsWith('--junit-xml=')) return arg.slice(arg.indexOf('=') + 1);
    if (arg === '--junitxml' || arg === '--junit-xml') return args[index + 1];
  }
  return undefined;
}

function runCommand(command: readonly string[]): Promise<{ code: number; signal: NodeJS.Signals | null }> {
  const [program, ...args] = command as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const done = (code: number, signal: NodeJS.Signals | null) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ code, signal });
    };
    child.on('error', (error) => {
      fail(`cannot run ${program}: ${error.message}`);
      done(127, null);
    });
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? os.constants.signals[signal] : 0), signal));
  });
}

async function runAndImport(command: string[], junit: readonly string[], settings: ImportSettings): Promise<number> {
  if (command.length === 0) {
    fail('run: missing the command after --');
    return 2;
  }
  let patterns = [...junit];
  let tempDir: string | null = null;
  let finalCommand = command;
  if (patterns.length === 0 && isPytest(command)) {
    const given = existingJunitxml(command.slice(1));
    if (given) patterns = [given];
    else {
      tempDir = await mkdtemp(path.join(os.tmpdir(), 'pytest-platform-'));
      const report = path.join(tempDir, 'junit.xml');
      finalCommand = [...command, `--junitxml=${report}`];
      patterns = [report];
    }
  }
  const { code, signal } = await runCommand(finalCommand);
  try {
    if (patterns.length === 0) {
      fail('run: no JUnit report to import; pass --junit <path or glob> for commands other than pytest');
      return code;
    }
    const { files } = await expandPatterns(patterns, settings.cwd);
    if (files.length === 0) {
      fail(`run: the command wrote no JUnit report (${patterns.join(', ')})`);
      return code;
    }
    if (signal) fail(`run: the command was stopped by ${signal}`);
    await importFiles(files, settings);
    return code;
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

/** `node_modules/.bin/pytest-platform-mcp` in `cwd`, this package's location, or a parent of either. */
export function findMcpBin(starts: readonly string[] = [process.cwd(), path.dirname(fileURLToPath(import.meta.url))]): string | undefined {
  const name = process.platform === 'win32' ? 'pytest-platform-mcp.cmd' : 'pytest-platform-mcp';
  for (const start of starts) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', '.bin', name);
      if (existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/** `digest …` belongs to the MCP service (it renders and sends e-mail); this package only hands over. */
async function delegateDigest(args: readonly string[]): Promise<number> {
  const bin = findMcpBin();
  if (!bin) {
    fail('digest: the e-mail digest is part of the MCP service, and pytest-platform-mcp was not found in node_modules/.bin; install @pytest-platform/mcp (npm install @pytest-platform/mcp) and run again');
    return 127;
  }
  return (await runCommand([bin, 'digest', ...args])).code;
}

/** The `pytest-platform` command line; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'digest') return delegateDigest(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals, tokens } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  const config = readReporterConfig(process.env, { defaultRedisUrl: 'redis://127.0.0.1:6379' });
  const settings: ImportSettings = {
    config,
    overrides: { project: values.project, branch: values.branch, commit: values.commit, workerId: values['worker-id'] },
    strict: values.strict,
    dryRun: values['dry-run'],
    cwd: process.cwd(),
  };
  switch (command) {
    case 'import': {
      if (rest.length === 0) {
        fail('import: name at least one file or glob');
        return 2;
      }
      const { files, missing } = await expandPatterns(rest, settings.cwd);
      for (const pattern of missing) fail(`${pattern}: rejected: no such file, and no files match it as a glob`);
      const rejected = await importFiles(files, settings);
      return rejected + missing.length > 0 ? 1 : 0;
    }
    case 'flush': {
      try {
        const sent = await flushSpoolDir(config, stderrLog);
        process.stdout.write(`${sent} spooled run(s) sent to ${config.stream}\n`);
        return 0;
      } catch (error) {
        fail(`flush: Redis unavailable (${(error as Error).message.split('\n')[0]}); the spool in ${config.spoolDir} is kept`);
        return 1;
      }
    }
    case 'backup': {
      if (rest.length !== 1) {
        fail('backup: name one destination file');
        return 2;
      }
      try {
        const done = await backupDatabase(rest[0]!, process.env.DATABASE_URL);
        process.stdout.write(`backed up ${done.source} to ${done.destination} (${done.pages} pages)\n`);
        return 0;
      } catch (error) {
        fail(`backup: ${(error as Error).message}`);
        return 1;
      }
    }
    case 'run': {
      const separator = tokens.findIndex((token) => token.kind === 'option-terminator');
      const after = separator >= 0 ? tokens.slice(separator + 1).filter((t) => t.kind === 'positional').map((t) => t.value) : rest;
      return runAndImport(after, values.junit ?? [], settings);
    }
    default:
      fail(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
  }
}
