import type { Kysely } from 'kysely';
import type { ResultTable } from './tables/result.table.js';
import type { RunTable } from './tables/run.table.js';
import type { TestTable } from './tables/test.table.js';
import type { FailureDayTable, TestDayTable } from './tables/rollup.table.js';
import type { WorkerTable } from './tables/worker.table.js';
import type { BuildTable } from './tables/build.table.js';
import type { TestTagTable } from './tables/test-tag.table.js';

export interface Database {
  runs: RunTable;
  tests: TestTable;
  results: ResultTable;
  workers: WorkerTable;
  test_days: TestDayTable;
  failure_days: FailureDayTable;
  builds: BuildTable;
  test_tags: TestTagTable;
}

export type Db = Kysely<Database>;
