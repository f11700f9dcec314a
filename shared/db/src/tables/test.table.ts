import type { Generated, Insertable, Selectable } from 'kysely';

/** A test's identity within a project, interned so results carry a small integer key. */
export interface TestTable {
  id: Generated<number>;
  project: string;
  nodeid: string;
  file: string | null;
  line: number | null;
}

export type TestRow = Selectable<TestTable>;
export type NewTest = Insertable<TestTable>;
