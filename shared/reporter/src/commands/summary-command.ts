import { ConfigError, readVariables } from '@pytest-platform/config';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { cliConfig, say } from '../cli-context.js';
import { SummaryError, summaryMarkdown } from '../summary-report.js';

const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export function registerSummaryCommand(program: Command, context: CliContext): void {
  program
    .command('summary')
    .summary('print a run as Markdown for a CI summary, with its new failures')
    .description('Print a stored run as Markdown (the same as the reporters append to GITHUB_STEP_SUMMARY), read from the API, with the tests that newly fail against the previous run of its branch. Exits 1 when the API is unreachable or does not know the run.')
    .requiredOption('--run <run_id>', 'the run to summarise')
    .option('--api-url <url>', `the read API (default: API_URL, else ${DEFAULT_API_URL}); API_TOKEN or API_READ_TOKEN is sent as a bearer token`)
    .addHelpText('after', '\nExamples:\n  $ pytest-platform summary --run 0b6f2c1e-… >> "$GITHUB_STEP_SUMMARY"\n  $ API_URL=https://tests.example.com/api pytest-platform summary --run import-3f2a… > summary.md\n')
    .action(async (flags: { run: string; apiUrl?: string }) => {
      let api: { url: string; token: string | null };
      try {
        // The same rules as the services: a token shorter than 16 characters or a blank API_URL is refused by name.
        const e = readVariables(context.env, ['API_URL', 'API_TOKEN', 'API_READ_TOKEN']);
        api = { url: flags.apiUrl ?? e.API_URL ?? DEFAULT_API_URL, token: e.API_TOKEN ?? e.API_READ_TOKEN ?? null };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        say(context, `summary: ${error.message}`);
        context.exitCode = 2;
        return;
      }
      try {
        context.print(await summaryMarkdown(api, flags.run, { publicUrl: cliConfig(context).publicUrl }));
      } catch (error) {
        if (!(error instanceof SummaryError)) throw error;
        say(context, `summary: ${error.message}`);
        context.exitCode = 1;
      }
    });
}
