import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { cliConfig, say } from '../cli-context.js';
import { flushSpoolDir } from '../deliver-runs.js';

export function registerFlushCommand(program: Command, context: CliContext): void {
  program
    .command('flush')
    .summary('send the runs waiting in the spool directory')
    .description('Send the runs the reporters spooled while Redis was unreachable (PYTEST_PLATFORM_SPOOL_DIR), oldest first. Exits 1 when Redis is unreachable; the spool is kept.')
    .addHelpText('after', '\nExample:\n  $ PYTEST_PLATFORM_REDIS_URL=redis://ci-redis:6379 pytest-platform flush\n')
    .action(async () => {
      const config = cliConfig(context);
      try {
        const sent = await flushSpoolDir(config, context.log);
        context.print(`${sent} spooled run(s) sent to ${config.stream}\n`);
      } catch (error) {
        say(context, `flush: Redis unavailable (${(error as Error).message.split('\n')[0]}); the spool in ${config.spoolDir} is kept`);
        context.exitCode = 1;
      }
    });
}
