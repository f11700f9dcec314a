/** Where the store lives, from `DATABASE_URL`: a file path or `sqlite:` URL selects SQLite, `postgres://…` Postgres. */
export type DatabaseTarget = { dialect: 'sqlite'; filename: string } | { dialect: 'postgres'; connectionString: string };

/** @defaultValue the SQLite file `./data/pytest-platform.sqlite` */
export const DEFAULT_SQLITE_FILE = './data/pytest-platform.sqlite';

export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  const value = url?.trim() || DEFAULT_SQLITE_FILE;
  if (/^postgres(ql)?:\/\//i.test(value)) return { dialect: 'postgres', connectionString: value };
  if (value.startsWith('sqlite://')) return { dialect: 'sqlite', filename: value.slice('sqlite://'.length) || DEFAULT_SQLITE_FILE };
  if (value.startsWith('sqlite:')) return { dialect: 'sqlite', filename: value.slice('sqlite:'.length) || DEFAULT_SQLITE_FILE };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Error(`DATABASE_URL: unsupported scheme in ${JSON.stringify(value.replace(/\/\/[^@/]*@/, '//***@'))}; use a file path, sqlite:<path> or postgres://…`);
  }
  return { dialect: 'sqlite', filename: value };
}
