import type SqliteDatabase from 'better-sqlite3';

/** The most parameters SQLite binds in one statement (`SQLITE_MAX_VARIABLE_NUMBER`, since 3.32). */
export const SQLITE_MAX_PARAMS = 32_766;

/**
 * An `INSERT … VALUES (…), (…), … <tail>` of up to {@link maxRows} rows per statement: one statement
 * per row count, prepared on first use and kept. {@link insert} gives back the one column of a
 * `tail` that ends in `RETURNING <column>`; {@link run} is for a `tail` without RETURNING.
 */
export class MultiRowInsert {
  /** Rows in one statement: the `maxRows` asked for, fewer when their parameters would pass `maxParams`. */
  readonly maxRows: number;
  private readonly statements = new Map<number, SqliteDatabase.Statement>();

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly head: string,
    private readonly columns: number,
    private readonly tail: string,
    maxRows: number,
    maxParams = SQLITE_MAX_PARAMS,
  ) {
    this.maxRows = Math.max(1, Math.min(maxRows, Math.floor(maxParams / columns)));
  }

  /** Inserts `params.length / columns` rows (their values row by row); returns the RETURNING column of the rows it inserted. */
  insert(params: readonly unknown[]): unknown[] {
    return this.statement(params.length / this.columns).all(params);
  }

  /** Inserts (or upserts) `params.length / columns` rows, their values row by row. */
  run(params: readonly unknown[]): void {
    this.statement(params.length / this.columns).run(params);
  }

  private statement(rows: number): SqliteDatabase.Statement {
    if (!Number.isInteger(rows) || rows < 1 || rows > this.maxRows) throw new RangeError(`${rows} rows: one statement holds 1 to ${this.maxRows}`);
    let statement = this.statements.get(rows);
    if (statement === undefined) {
      const row = `(${new Array<string>(this.columns).fill('?').join(', ')})`;
      statement = this.sqlite.prepare(`${this.head} VALUES ${new Array<string>(rows).fill(row).join(', ')} ${this.tail}`);
      if (statement.reader) statement.pluck();
      this.statements.set(rows, statement);
    }
    return statement;
  }
}
