import { sql } from 'kysely';
import { failureText, normalizeFailureMessage, type FailureGroup } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { iso } from './run-mapper.js';

export interface FailureGroupsParams {
  project: string;
  branch?: string | undefined;
  /** Unix ms: only runs started at or after it count. */
  since: number;
  limit: number;
}

/**
 * Failures of the window grouped by signature (the normalized message), most failures first, with
 * the tests affected, first and last seen, and one example. Reads the partial index on failures
 * (run, signature, test), which holds everything the grouping needs.
 */
export async function listFailureGroups(db: Db, params: FailureGroupsParams): Promise<FailureGroup[]> {
  let query = db
    .selectFrom('runs')
    .innerJoin('results', 'results.run_id', 'runs.id')
    .select((eb) => [
      'results.signature',
      eb.fn.countAll<number>().as('failures'),
      sql<number>`count(distinct results.test_id)`.as('tests'),
      eb.fn.min('runs.started_at').as('first_seen'),
      eb.fn.max('runs.started_at').as('last_seen'),
      eb.fn.max('results.run_id').as('last_run'),
    ])
    .where('runs.project', '=', params.project)
    .where('runs.started_at', '>=', params.since)
    .where(sql<boolean>`results.outcome in ('failed', 'error')`);
  if (params.branch !== undefined) query = query.where('runs.branch', '=', params.branch);
  const groups = await query
    .groupBy('results.signature')
    .orderBy('failures', 'desc')
    .orderBy('last_seen', 'desc')
    .orderBy('results.signature')
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
    example = g.signature === null ? example.where('results.signature', 'is', null) : example.where('results.signature', '=', g.signature);
    const e = await example.orderBy('results.test_id').limit(1).executeTakeFirst();
    return {
      signature: g.signature ?? '',
      normalized: normalizeFailureMessage(failureText(e?.message ?? null, e?.longrepr ?? null)),
      failures: Number(g.failures),
      tests: Number(g.tests),
      first_seen: iso(Number(g.first_seen)),
      last_seen: iso(Number(g.last_seen)),
      example: { nodeid: e?.nodeid ?? '', run_id: e?.run_id ?? '', message: e?.message ?? null },
    };
  }));
}
