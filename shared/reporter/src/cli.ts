import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context.js';
import { packageVersion } from './cli-context.js';
import { registerBackupCommand } from './commands/backup-command.js';
import { registerDigestCommand } from './commands/digest-command.js';
import { registerFlushCommand } from './commands/flush-command.js';
import { registerImportCommand } from './commands/import-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerShardCommand } from './commands/shard-command.js';
import { registerSummaryCommand } from './commands/summary-command.js';

const ENVIRONMENT = `
Environment:
  PYTEST_PLATFORM_REDIS_URL, else REDIS_URL   where runs go (default redis://127.0.0.1:6379)
  RESULTS_STREAM                              the stream (default pytest-platform:results)
  PYTEST_PLATFORM_SPOOL_DIR                   where runs wait while Redis is unreachable
  PYTEST_PLATFORM_URL                         links the end line to <url>/runs/<run_id>
  PROJECT, BRANCH, COMMIT, WORKER_ID          the run identity (else CI variables, git, host name)
  PYTEST_PLATFORM_BUILD_ID                    the CI build (else CI variables): its shards split alike
  API_URL, API_TOKEN / API_READ_TOKEN         summary: the read API

Run "pytest-platform <command> --help" for a command's options and an example.
`;

/** Usage errors (an unknown option, a missing argument) exit with 2, as the shell's own do. */
const USAGE_ERROR = 2;

/** The `pytest-platform` program, its commands writing through `context`. */
function createProgram(context: CliContext): Command {
  const program = new Command('pytest-platform')
    .description('Send test results to pytest-platform: import JUnit XML / CTRF reports, wrap a test command, split a suite into shards, summarise a run.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand(false)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.print(text),
      writeErr: (text) => context.log(text.replace(/\n$/, '')),
      outputError: (text, write) => write(`pytest-platform: ${text.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(add --help for the options and an example)')
    .addHelpText('after', ENVIRONMENT);
  registerImportCommand(program, context);
  registerRunCommand(program, context);
  registerShardCommand(program, context);
  registerFlushCommand(program, context);
  registerSummaryCommand(program, context);
  registerDigestCommand(program, context);
  registerBackupCommand(program, context);
  for (const command of program.commands) {
    command.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError(`(pytest-platform ${command.name()} --help shows its options and an example)`);
  }
  return program;
}

/** The `pytest-platform` command line; resolves to the process exit code. */
export async function main(argv: readonly string[], context: Partial<CliContext> = {}): Promise<number> {
  const full: CliContext = {
    env: process.env,
    cwd: process.cwd(),
    print: (text) => process.stdout.write(text),
    log: (line) => process.stderr.write(`${line}\n`),
    exitCode: 0,
    ...context,
  };
  const program = createProgram(full);
  if (argv.length === 0) {
    full.print(program.helpInformation());
    return USAGE_ERROR;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return full.exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return ['commander.helpDisplayed', 'commander.version'].includes(error.code) ? 0 : USAGE_ERROR;
  }
}
