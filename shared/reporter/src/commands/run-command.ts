import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { runChild } from '../child-process.js';
import type { CliContext, IdentityFlags } from '../cli-context.js';
import { cliConfig, identityFrom, identityOptions, say } from '../cli-context.js';
import { importReports } from '../import-reports.js';
import { findReportFiles, splitByAge } from '../report-files.js';

interface RunFlags extends IdentityFlags {
  junit: string[];
  runPerFile?: boolean;
}

const EXAMPLES = `
Examples:
  $ pytest-platform run -- python -m pytest tests/          # --junitxml added for pytest
  $ pytest-platform run --junit 'target/surefire-reports/*.xml' -- mvn test
  $ pytest-platform run --junit build/test-results/test -- ./gradlew test

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

async function runAndImport(command: string[], flags: RunFlags, context: CliContext): Promise<number> {
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
    await importReports(fresh, {
      config,
      identity: identityFrom(context, flags),
      strict: false,
      dryRun: false,
      runPerFile: flags.runPerFile ?? false,
      cwd: context.cwd,
      log: context.log,
      print: (line) => context.print(`${line}\n`),
    });
    return code;
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
    .passThroughOptions()
    .addHelpText('after', EXAMPLES)
    .action(async (command: string[], flags: RunFlags) => {
      context.exitCode = await runAndImport(command, flags, context);
    });
}
