import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { glob } from 'tinyglobby';
import type { CliContext } from '../cli-context.js';
import { cliConfig, say } from '../cli-context.js';
import { consequence, readPublished } from '../published-lists.js';
import { resolveIdentity } from '../run-identity.js';
import { compareCodePoints, parseShardSpec, planShards } from '../shard-plan.js';

interface ShardFlags {
  by: 'file' | 'test';
  project?: string;
}

const EXAMPLES = `
Examples:
  $ pytest-platform shard 2/4 'src/**/*.test.ts'                 # shard 2 of 4, one file a line
  $ npx vitest run $(pytest-platform shard "$SHARD/4" 'src/**/*.test.ts')
  $ pytest-platform shard 1/3 --by test tests/a.py::test_x tests/a.py::test_y

Files are split by the durations the platform recorded for the project (the same packing as
pytest --platform-shard), named relative to this directory as the runner reports them; files
without a record count as the median; with no record at all the split is by count. A shard can
be empty (more shards than files): then nothing is printed; do not start the runner without
files, or it runs the whole suite.
`;

const posix = (file: string) => file.split(path.sep).join('/');

/** The files named by paths or globs, relative to `cwd`, each once; `missing` lists what named none. */
async function filesOf(patterns: readonly string[], cwd: string): Promise<{ files: string[]; missing: string[] }> {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const pattern of patterns) {
    const literal = path.resolve(cwd, pattern);
    const matches = (await stat(literal).catch(() => null))?.isFile()
      ? [path.relative(cwd, literal)]
      : await glob(pattern, { cwd, onlyFiles: true, expandDirectories: false });
    if (matches.length === 0) missing.push(pattern);
    for (const file of matches) files.add(posix(file));
  }
  return { files: [...files].sort(compareCodePoints), missing };
}

async function printShard(spec: string, names: string[], flags: ShardFlags, context: CliContext): Promise<number> {
  const shard = parseShardSpec(spec);
  if (shard === null) {
    say(context, `shard: expected K/N with 1 ≤ K ≤ N ≤ 999999 (e.g. 2/4: shard 2 of 4), got ${JSON.stringify(spec)}`);
    return 2;
  }
  let items = names;
  if (flags.by === 'file') {
    const { files, missing } = await filesOf(names, context.cwd);
    for (const pattern of missing) say(context, `shard: ${pattern}: no such file, and no files match it as a glob`);
    items = files;
  }
  if (items.length === 0) {
    say(context, `shard: nothing to split: no ${flags.by === 'file' ? 'files' : 'test ids'} given`);
    return 2;
  }
  let durations: Record<string, number> = {};
  if (shard.total > 1) {
    const config = cliConfig(context);
    const identity = resolveIdentity({ env: context.env, cwd: context.cwd, overrides: { project: flags.project } });
    if (config.enabled) {
      const published = await readPublished({ redisUrl: config.redisUrl, stream: config.stream, project: identity.project, buildId: identity.build_id, durations: true });
      if (published.warning !== null) context.log(published.warning);
      durations = (flags.by === 'test' ? published.durations?.tests : published.durations?.files) ?? {};
    } else {
      context.log(`pytest-platform: PYTEST_PLATFORM is off, so the recorded durations are not read: ${consequence(false, true)}`);
    }
  }
  const mine = planShards(items, durations, shard.total)[shard.index - 1]!;
  if (mine.length === 0) say(context, `shard: shard ${shard.index}/${shard.total} is empty (${items.length} ${flags.by === 'file' ? 'files' : 'tests'} for ${shard.total} shards): nothing to run`);
  else context.print(`${mine.join('\n')}\n`);
  return 0;
}

export function registerShardCommand(program: Command, context: CliContext): void {
  program
    .command('shard')
    .summary('print the files of shard K of N, split by recorded durations')
    .usage('<K/N> [options] <files or globs...>')
    .description('Print the test files of shard K of N (1-based), one a line, to give to vitest run, jest or playwright test: the files are packed so every shard takes about as long, by the durations the platform recorded for the project (read from Redis, with a 1 s bound). With --by test the arguments are test ids and the shard\'s test ids are printed.')
    .argument('<K/N>', 'the shard to print, e.g. 2/4')
    .argument('<names...>', 'test files or glob patterns (test ids with --by test)')
    .addOption(new Option('--by <what>', 'split by test file, or by test id').choices(['file', 'test']).default('file'))
    .option('--project <name>', 'the project whose durations to use (default: PROJECT, the CI repository path, git origin, the directory name)')
    .addHelpText('after', EXAMPLES)
    .action(async (spec: string, names: string[], flags: ShardFlags) => {
      context.exitCode = await printShard(spec, names, flags, context);
    });
}
