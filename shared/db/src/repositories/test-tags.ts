import type { Db } from '../database.js';

/**
 * The ids of the tests of `projects` (every project when undefined) that carried `tag` in a stored
 * run, as a subquery: a range of the `test_tags` primary key (tag, project, test_id).
 */
export function taggedTests(db: Db, tag: string, projects: readonly string[] | undefined) {
  const query = db.selectFrom('test_tags').select('test_tags.test_id').where('test_tags.tag', '=', tag);
  return projects === undefined ? query : query.where('test_tags.project', 'in', [...projects]);
}
