import type pg from 'pg';
import type { RunDigestDeltas } from './run-digest.js';

const STORED = 'SELECT run_id, tests FROM run_digests WHERE run_id = ANY($1::int[])';
const UPSERT = `
  INSERT INTO run_digests (run_id, tests) SELECT * FROM unnest($1::int[], $2::bytea[])
  ON CONFLICT (run_id) DO UPDATE SET tests = excluded.tests`;

/**
 * Merges the transaction's results into `run_digests`. The run upsert earlier in the same transaction
 * holds the run's row lock, so two replicas writing one run read and replace its digest one after the other.
 */
export async function writePostgresRunDigests(client: pg.PoolClient, digests: RunDigestDeltas): Promise<void> {
  const runIds = digests.runIds();
  if (runIds.length === 0) return;
  const { rows } = await client.query<{ run_id: number; tests: Buffer }>(STORED, [runIds]);
  const stored = new Map(rows.map((r) => [r.run_id, r.tests]));
  await client.query(UPSERT, [runIds, runIds.map((id) => digests.merged(id, stored.get(id)))]);
}
