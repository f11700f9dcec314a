import type { Kysely } from 'kysely';
import type { ResultTable } from './tables/result.table.js';
import type { RunTable } from './tables/run.table.js';
import type { TestTable } from './tables/test.table.js';
import type { FailureDayTable, TestDayTable } from './tables/rollup.table.js';
import type { WorkerTable } from './tables/worker.table.js';
import type { BuildTable } from './tables/build.table.js';
import type { TestTagTable } from './tables/test-tag.table.js';
import type { QuarantineTable } from './tables/quarantine.table.js';
import type { QuarantineHistoryTable } from './tables/quarantine-history.table.js';
import type { TestDurationTable } from './tables/test-duration.table.js';
import type { FileDurationTable } from './tables/file-duration.table.js';
import type { FoldCursorTable, FoldedRunTable } from './tables/fold-cursor.table.js';
import type { RunDigestTable } from './tables/run-digest.table.js';

export interface Database {
  runs: RunTable;
  tests: TestTable;
  results: ResultTable;
  workers: WorkerTable;
  test_days: TestDayTable;
  failure_days: FailureDayTable;
  builds: BuildTable;
  test_tags: TestTagTable;
  quarantine: QuarantineTable;
  quarantine_history: QuarantineHistoryTable;
  test_durations: TestDurationTable;
  file_durations: FileDurationTable;
  fold_cursors: FoldCursorTable;
  folded_runs: FoldedRunTable;
  run_digests: RunDigestTable;
}

export type Db = Kysely<Database>;
