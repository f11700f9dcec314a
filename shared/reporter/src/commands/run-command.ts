import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { runChild } from '../child-process.js';
import type { CliContext, IdentityFlags } from '../cli-context.js';
import { cliConfig, identityFrom, identityOptions, say } from '../cli-context.js';
import { importReports } from '../import-reports.js';
import { consequence, readPublished } from '../published-lists.js';
import type { QuarantinedTest } from '../published-lists.js';
import { quarantineRuns } from '../quarantine-runs.js';
import type { QuarantinedRuns } from '../quarantine-runs.js';
import type { ReporterConfig } from '../reporter-config.js';
import { findReportFiles, splitByAge } from '../report-files.js';
import type { RunIdentity } from '../run-identity.js';

interface RunFlags extends IdentityFlags {
  junit: string[];
  runPerFile?: boolean;
  quarantine?: boolean;
}

const EXAMPLES = `
Examples:
  $ pytest-platform run -- python -m pytest tests/          # --junitxml added for pytest
  $ pytest-platform run --junit 'target/surefire-reports/*.xml' -- mvn test
  $ pytest-platform run --junit build/test-results/test -- ./gradlew test
  $ pytest-platform run --quarantine --junit report.xml -- npx vitest run --reporter=junit --outputFile=report.xml

Report files last written before the command started (more than 2 s before, for coarse file
times) are left from an earlier build: they are ignored, and the CLI says how many.
`;

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

const shortList = (files: readonly string[], cwd: string) =>
  files.slice(0, 3).map((file) => path.relative(cwd, file) || file).join(', ') + (files.length > 3 ? ', …' : '');

/** `--quarantine`: the project's quarantined tests, read once before the command starts (one warning line when they cannot be). */
async function readQuarantine(config: ReporterConfig, identity: RunIdentity, context: CliContext): Promise<ReadonlyMap<string, QuarantinedTest>> {
  if (!config.enabled) {
    context.log(`pytest-platform: PYTEST_PLATFORM is off, so the quarantine list is not read: ${consequence(true, false)}`);
    return new Map();
  }
  const published = await readPublished({ redisUrl: config.redisUrl, stream: config.stream, project: identity.project, quarantine: true });
  if (published.warning !== null) context.log(published.warning);
  return published.quarantine;
}

/** The exit code once quarantine is applied: 0 when every failure the command's report holds is quarantined, else the command's. */
function quarantinedExit(code: number, stopped: boolean, marked: QuarantinedRuns | null, quarantined: ReadonlyMap<string, QuarantinedTest>, context: CliContext): number {
  if (marked === null || marked.ignored.length === 0) return code;
  const n = marked.ignored.length;
  const exit = code !== 0 && !stopped && marked.allIgnored ? 0 : code;
  const others = marked.failures - n;
  say(context, `run: ${n} quarantined failure${n === 1 ? '' : 's'} ignored${others > 0 ? `, ${others} other failure${others === 1 ? '' : 's'}` : ''}: exit ${exit}${exit === code ? '' : ` instead of ${code}`}`);
  for (const nodeid of marked.ignored) {
    const reason = quarantined.get(nodeid)?.reason?.split(/\s+/).join(' ').trim();
    say(context, `QUARANTINED ${nodeid}${reason ? ` - ${reason}` : ''}`);
  }
  return exit;
}

async function runAndImport(command: string[], flags: RunFlags, context: CliContext): Promise<number> {
  const identity = identityFrom(context, flags);
  const quarantined = flags.quarantine ? await readQuarantine(cliConfig(context), identity, context) : null;
  let patterns = [...flags.junit];
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
  const startedMs = Date.now();
  const { code, signal } = await runChild(finalCommand, (message) => say(context, message));
  try {
    const config = cliConfig(context);
    if (!config.enabled) return code;
    if (patterns.length === 0) {
      say(context, 'run: no JUnit report to import; pass --junit <path, directory or glob> for commands other than pytest');
      return code;
    }
    const { files } = await findReportFiles(patterns, context.cwd);
    const { fresh, stale } = await splitByAge(files, startedMs);
    if (stale.length > 0) say(context, `run: ignored ${stale.length} report file(s) written before the command started (${shortList(stale, context.cwd)})`);
    if (fresh.length === 0) {
      say(context, `run: the command wrote no JUnit report (${patterns.join(', ')})`);
      return code;
    }
    if (signal) say(context, `run: the command was stopped by ${signal}`);
    let marked: QuarantinedRuns | null = null;
    await importReports(fresh, {
      config,
      identity,
      strict: false,
      dryRun: false,
      runPerFile: flags.runPerFile ?? false,
      cwd: context.cwd,
      log: context.log,
      print: (line) => context.print(`${line}\n`),
      prepare: quarantined === null ? undefined : (runs) => void (marked = quarantineRuns(runs, quarantined)),
    });
    return quarantined === null ? code : quarantinedExit(code, signal !== null, marked, quarantined, context);
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

export function registerRunCommand(program: Command, context: CliContext): void {
  identityOptions(
    program
      .command('run')
      .summary('run a test command, then import and send its JUnit report')
      .usage('[options] -- <command...>')
      .description('Run a test command with its output and exit code passed through, then import the JUnit report files it wrote as one run and send it. pytest and "python -m pytest" get --junitxml added.')
      .argument('<command...>', 'the test command and its arguments, after --'),
  )
    .option('--junit <path>', 'a JUnit report file, directory or glob the command writes (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--run-per-file', 'one run per report file instead of one run of all')
    .option('--quarantine', 'exit 0 when every failure in the report is a test the platform lists as quarantined (those are sent with quarantined: true)')
    .passThroughOptions()
    .addHelpText('after', EXAMPLES)
    .action(async (command: string[], flags: RunFlags) => {
      context.exitCode = await runAndImport(command, flags, context);
    });
}
