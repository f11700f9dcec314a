import type { Selectable } from 'kysely';

/** A tag some stored result of a test carried (migration 0004); what `tag=` filters look up. */
export interface TestTagTable {
  tag: string;
  project: string;
  test_id: number;
}

export type TestTagRow = Selectable<TestTagTable>;
