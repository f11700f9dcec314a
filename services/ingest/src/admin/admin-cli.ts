import { parseArgs } from 'node:util';
import { ConfigError, readVariables } from '@pytest-platform/config';
import { backupDatabase } from './backup.js';

const ADMIN_HELP = `Usage: pytest-platform-admin <command> [options]

Maintenance of the pytest-platform store, run where the database lives.

Commands:
  backup <file>   copy the SQLite database (DATABASE_URL) to <file>; ingest and the API keep
                  running. The copy is a consistent snapshot (VACUUM INTO), written to
                  <file>.partial and renamed when complete. For Postgres use pg_dump.

Options:
  -h, --help      show this help

Example:
  DATABASE_URL=./data/pytest-platform.sqlite npm run admin -- backup backup.sqlite
`;

const fail = (line: string) => process.stderr.write(`pytest-platform-admin: ${line}\n`);

/** The `pytest-platform-admin` command line; resolves to the process exit code. */
export async function adminMain(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h', default: false } }, allowPositionals: true, strict: true });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${ADMIN_HELP}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined) {
    process.stdout.write(ADMIN_HELP);
    return parsed.values.help ? 0 : 2;
  }
  if (command !== 'backup') {
    fail(`unknown command ${JSON.stringify(command)}\n\n${ADMIN_HELP}`);
    return 2;
  }
  if (rest.length !== 1) {
    fail('backup: name one destination file, e.g. pytest-platform-admin backup backup.sqlite');
    return 2;
  }
  try {
    const { DATABASE_URL } = readVariables(env, ['DATABASE_URL']);
    const done = await backupDatabase(rest[0]!, DATABASE_URL);
    process.stdout.write(`backed up ${done.source} to ${done.destination} (${done.pages} pages)\n`);
    return 0;
  } catch (error) {
    fail(`backup: ${(error as Error).message}`);
    return error instanceof ConfigError ? 2 : 1;
  }
}
