import { sql } from 'kysely';
import type { FailureGroup } from '@pytest-platform/schema';
import { failureText, normalizeFailureMessage } from '../intelligence/failure-signature.js';
import type { Db } from '../database.js';
import { utcDay } from '../rollup-deltas.js';
import { iso } from './run-mapper.js';

export interface FailureGroupsParams {
  project: string;
  branch?: string | undefined;
  /** Unix ms: runs started on the UTC day holding it, or later, count (the window is whole days). */
  since: number;
  limit: number;
}

/**
 * Failures of the window grouped by signature (the normalized message), most failures first, with
 * the tests affected, first and last seen, and one example from the group's latest run. Reads the
 * per-day rollup `failure_days` (one row per day, test and signature), then the example through the
 * partial index on failures (run, signature, test).
 */
export async function listFailureGroups(db: Db, params: FailureGroupsParams): Promise<FailureGroup[]> {
  let query = db
    .selectFrom('failure_days')
    .select((eb) => [
      'signature',
      eb.fn.sum<number>('failures').as('failures'),
      sql<number>`count(distinct test_id)`.as('tests'),
      eb.fn.min('first_at').as('first_seen'),
      eb.fn.max('last_at').as('last_seen'),
      eb.fn.max('last_run').as('last_run'),
    ])
    .where('project', '=', params.project)
    .where('day', '>=', utcDay(params.since))
    .where('failures', '>', 0);
  if (params.branch !== undefined) query = query.where('branch', '=', params.branch);
  const groups = await query
    .groupBy('signature')
    .orderBy('failures', 'desc')
    .orderBy('last_seen', 'desc')
    .orderBy('signature')
    .limit(params.limit)
    .execute();

  return Promise.all(groups.map(async (g) => {
    let example = db
      .selectFrom('results')
      .innerJoin('tests', 'tests.id', 'results.test_id')
      .innerJoin('runs', 'runs.id', 'results.run_id')
      .select(['tests.nodeid', 'runs.run_id', 'results.message', 'results.longrepr'])
      .where('results.run_id', '=', Number(g.last_run))
      .where(sql<boolean>`results.outcome in ('failed', 'error')`);
    example = g.signature === '' ? example.where('results.signature', 'is', null) : example.where('results.signature', '=', g.signature);
    const e = await example.orderBy('results.test_id').limit(1).executeTakeFirst();
    return {
      signature: g.signature,
      normalized: normalizeFailureMessage(failureText(e?.message ?? null, e?.longrepr ?? null)),
      failures: Number(g.failures),
      tests: Number(g.tests),
      first_seen: iso(Number(g.first_seen)),
      last_seen: iso(Number(g.last_seen)),
      example: { nodeid: e?.nodeid ?? '', run_id: e?.run_id ?? '', message: e?.message ?? null },
    };
  }));
}
