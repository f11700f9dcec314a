import type { Command } from 'commander';
import type { CliContext, IdentityFlags } from '../cli-context.js';
import { cliConfig, identityFrom, identityOptions, say } from '../cli-context.js';
import { importReports } from '../import-reports.js';
import { findReportFiles } from '../report-files.js';

interface ImportFlags extends IdentityFlags {
  runPerFile?: boolean;
  strict?: boolean;
  dryRun?: boolean;
}

const EXAMPLES = `
Examples:
  $ pytest-platform import target/surefire-reports/          # every *.xml / *.json in it: one run
  $ pytest-platform import 'build/test-results/**/*.xml' ctrf.json
  $ pytest-platform import --run-per-file reports/*.xml      # one run per file
  $ pytest-platform import --dry-run junit.xml               # print the RunResult, send nothing

The run id comes from the project and the files' contents: importing the same files again
stores nothing new. Exits 1 when a file could not be imported (each gets one line saying why).
`;

export function registerImportCommand(program: Command, context: CliContext): void {
  identityOptions(
    program
      .command('import')
      .summary('import JUnit XML / CTRF JSON reports as one run')
      .description('Import JUnit XML and CTRF JSON report files (the format is read from the content) as one run of all of them, and send it.')
      .argument('<files...>', 'report files, directories (searched for *.xml and *.json) or glob patterns'),
  )
    .option('--run-per-file', 'one run per file instead of one run of all files')
    .option('--strict', 'validate CTRF against the CTRF 1.0 JSON Schema')
    .option('--dry-run', 'print each RunResult as one JSON line instead of sending it')
    .addHelpText('after', EXAMPLES)
    .action(async (patterns: string[], flags: ImportFlags) => {
      const config = cliConfig(context);
      if (!config.enabled) {
        say(context, 'PYTEST_PLATFORM is off: nothing imported');
        return;
      }
      const { files, missing } = await findReportFiles(patterns, context.cwd);
      for (const pattern of missing) say(context, `${pattern}: no such file or directory, and no files match it as a glob`);
      const outcome = await importReports(files, {
        config,
        identity: identityFrom(context, flags),
        strict: flags.strict ?? false,
        dryRun: flags.dryRun ?? false,
        runPerFile: flags.runPerFile ?? false,
        cwd: context.cwd,
        log: context.log,
        print: (line) => context.print(`${line}\n`),
      });
      context.exitCode = outcome.rejected + missing.length > 0 ? 1 : 0;
    });
}
