import type { Outcome, RunTestItem } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { taggedTests } from './test-tags.js';

export interface RunTestsFilter {
  outcome?: Outcome | undefined;
  /** Only these node ids (all when undefined). */
  nodeids?: readonly string[] | undefined;
  /** Only tests that carried this tag in the run (exact match). */
  tag?: string | undefined;
  limit: number;
}

const tagsOf = (json: string | null): string[] => (json === null ? [] : (JSON.parse(json) as string[]));

/**
 * One run's test results by node id, optionally only some outcomes, node ids or a tag. A tag narrows
 * to the tests that ever carried it (`test_tags`, an index range), then keeps those that carried it
 * in this run, reading pages in node id order until `limit` are found.
 */
export async function listRunTests(db: Db, runPk: number, filter: RunTestsFilter): Promise<RunTestItem[]> {
  if (filter.nodeids !== undefined && filter.nodeids.length === 0) return [];
  const project = filter.tag === undefined ? undefined : (await db.selectFrom('runs').select('project').where('id', '=', runPk).executeTakeFirst())?.project;
  const page = (after: string | undefined, limit: number) => {
    let query = db
      .selectFrom('results')
      .innerJoin('tests', 'tests.id', 'results.test_id')
      .select(['tests.nodeid', 'results.outcome', 'results.duration', 'results.attempts', 'results.message', 'results.tags', 'results.quarantined'])
      .where('results.run_id', '=', runPk);
    if (filter.outcome !== undefined) query = query.where('results.outcome', '=', filter.outcome);
    if (filter.nodeids !== undefined) query = query.where('tests.nodeid', 'in', [...filter.nodeids]);
    if (filter.tag !== undefined) query = query.where('results.test_id', 'in', taggedTests(db, filter.tag, [project ?? '']));
    if (after !== undefined) query = query.where('tests.nodeid', '>', after);
    return query.orderBy('tests.nodeid').limit(limit).execute();
  };
  const toItem = ({ tags, quarantined, ...row }: Awaited<ReturnType<typeof page>>[number]): RunTestItem => ({ ...row, tags: tagsOf(tags), quarantined: quarantined === 1 });

  const tag = filter.tag;
  if (tag === undefined) return (await page(undefined, filter.limit)).map(toItem);
  const items: RunTestItem[] = [];
  const size = Math.max(filter.limit, 500);
  let after: string | undefined;
  for (;;) {
    const rows = await page(after, size);
    for (const item of rows.map(toItem)) {
      if (item.tags.includes(tag)) items.push(item);
      if (items.length === filter.limit) return items;
    }
    if (rows.length < size) return items;
    after = rows.at(-1)!.nodeid;
  }
}
