/**
 * SQLite result codes that say the database itself cannot take writes right now (locked, full,
 * read-only, I/O trouble), as opposed to one entry it rejects. Entries that hit them are retried
 * in memory without being acknowledged or counted as a failed delivery.
 */
const unavailableSqlite = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|NOMEM|PROTOCOL|INTERRUPT|PERM|AUTH|NOTADB|CORRUPT)/;

/** Node network errors: a server-based store (Postgres) is unreachable. */
const unavailableNetwork = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/;

/** Postgres SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention), and 40001/40P01. */
const unavailablePostgres = /^(08|53|57)...$|^40001$|^40P01$/;

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

export function isStoreUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined) return unavailableSqlite.test(code) || unavailableNetwork.test(code) || unavailablePostgres.test(code);
  return error instanceof Error && /database connection is not open|connection terminated|connection error and is not queryable/i.test(error.message);
}

/** A constraint the entry itself breaks (SQLite SQLITE_CONSTRAINT_*, Postgres class 23). */
export function isConstraintError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (code.startsWith('SQLITE_CONSTRAINT') || /^23...$/.test(code));
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
