import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { runChild } from '../child-process.js';
import type { CliContext } from '../cli-context.js';
import { say } from '../cli-context.js';

/** `node_modules/.bin/pytest-platform-mcp` in `cwd`, this package's location, or a parent of either. */
function findMcpBin(starts: readonly string[]): string | undefined {
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
export function registerDigestCommand(program: Command, context: CliContext): void {
  program
    .command('digest')
    .summary('the e-mail digest: hands over to pytest-platform-mcp digest')
    .usage('--send-now [--project <name>] | --preview <out.html>')
    .description('The e-mail digest is part of the MCP service (@pytest-platform/mcp); this runs its `pytest-platform-mcp digest` with the same arguments.')
    .argument('[arguments...]')
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .addHelpText('after', '\nExamples:\n  $ pytest-platform digest --send-now --project acme/shop\n  $ pytest-platform digest --preview out.html\n')
    .action(async (args: string[]) => {
      const bin = findMcpBin([context.cwd, path.dirname(fileURLToPath(import.meta.url))]);
      if (!bin) {
        say(context, 'digest: the e-mail digest is part of the MCP service, and pytest-platform-mcp was not found in node_modules/.bin; install @pytest-platform/mcp (npm install @pytest-platform/mcp) and run again');
        context.exitCode = 127;
        return;
      }
      context.exitCode = (await runChild([bin, 'digest', ...args], (message) => say(context, message))).code;
    });
}
