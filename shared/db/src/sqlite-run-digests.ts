import type SqliteDatabase from 'better-sqlite3';
import { RunDigestDeltas } from './run-digest.js';

/** The SQLite writer's run digests: results collected during the transaction, merged into `run_digests` at its end. */
export class SqliteRunDigests extends RunDigestDeltas {
  private readonly stored: SqliteDatabase.Statement;
  private readonly upsert: SqliteDatabase.Statement;

  constructor(sqlite: SqliteDatabase.Database) {
    super();
    this.stored = sqlite.prepare('SELECT tests FROM run_digests WHERE run_id = ?').pluck();
    this.upsert = sqlite.prepare('INSERT INTO run_digests (run_id, tests) VALUES (?, ?) ON CONFLICT (run_id) DO UPDATE SET tests = excluded.tests');
  }

  /** Writes the changed digests (inside the writer's transaction) and forgets them. */
  flush(): void {
    for (const runPk of this.runIds()) this.upsert.run(runPk, this.merged(runPk, this.stored.get(runPk) as Buffer | undefined));
    this.clear();
  }
}
