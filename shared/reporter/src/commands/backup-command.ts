import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { say } from '../cli-context.js';

/** `backup` moved to where the database lives; the reporter no longer carries database drivers. */
export function registerBackupCommand(program: Command, context: CliContext): void {
  program
    .command('backup', { hidden: true })
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(() => {
      say(context, 'backup moved to the services, where the database lives: run `pytest-platform-admin backup <file>` there (in this repository `npm run admin -- backup <file>`)');
      context.exitCode = 2;
    });
}
