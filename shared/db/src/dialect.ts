/** The two stores: SQLite on one machine, Postgres beyond it. */
export type Dialect = 'sqlite' | 'postgres';
