import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Log } from './deliver-runs.js';
import type { ReporterConfig } from './reporter-config.js';
import { readReporterConfig } from './reporter-config.js';
import { resolveIdentity } from './run-identity.js';
import type { IdentityOverrides, RunIdentity } from './run-identity.js';

/** What every command of the `pytest-platform` CLI works with, and where it leaves its exit code. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Writes to stdout (what a command produces: RunResults, Markdown). */
  print: (text: string) => void;
  /** Writes one line to stderr (what a command says about its work). */
  log: Log;
  /** Set by a command's action; `main` resolves to it. */
  exitCode: number;
}

/** Says one thing on stderr with the program's prefix, e.g. `pytest-platform: run: …`. */
export const say = (context: CliContext, line: string) => context.log(`pytest-platform: ${line}`);

/** The CLI sends to `redis://127.0.0.1:6379` when neither `PYTEST_PLATFORM_REDIS_URL` nor `REDIS_URL` is set. */
export const cliConfig = (context: CliContext): ReporterConfig => readReporterConfig(context.env, { defaultRedisUrl: 'redis://127.0.0.1:6379' });

/** This package's version, from its `package.json` (one level above `src/` and `dist/`). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

export interface IdentityFlags {
  project?: string;
  branch?: string;
  commit?: string;
  workerId?: string;
  buildId?: string;
}

/** Adds `--project`, `--branch`, `--commit`, `--worker-id` and `--build-id` to a command. */
export function identityOptions(command: Command): Command {
  return command
    .option('--project <name>', 'the project (default: PROJECT, the CI repository path, git origin, the directory name)')
    .option('--branch <name>', 'the branch (default: BRANCH, CI variables, git)')
    .option('--commit <sha>', 'the commit (default: COMMIT, CI variables, git)')
    .option('--worker-id <id>', 'who ran the tests (default: WORKER_ID, CI variables, the host name)')
    .option('--build-id <id>', 'the CI build the run belongs to (default: PYTEST_PLATFORM_BUILD_ID, CI variables)');
}

export function identityFrom(context: CliContext, flags: IdentityFlags): RunIdentity {
  const overrides: IdentityOverrides = { project: flags.project, branch: flags.branch, commit: flags.commit, workerId: flags.workerId, buildId: flags.buildId };
  return resolveIdentity({ env: context.env, cwd: context.cwd, overrides });
}
