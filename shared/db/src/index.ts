export type { Database, Db } from './database.js';
export type { RunTable, RunRow, NewRun, RunUpdate } from './tables/run.table.js';
export type { TestTable, TestRow, NewTest } from './tables/test.table.js';
export type { ResultTable, ResultRow, NewResult } from './tables/result.table.js';
export type { WorkerTable, WorkerRow, NewWorker } from './tables/worker.table.js';
export { parseDatabaseUrl, DEFAULT_SQLITE_FILE } from './database-url.js';
export type { DatabaseTarget } from './database-url.js';
export { openDatabase } from './open-database.js';
export type { Store, OpenOptions } from './open-database.js';
export { migrateToLatest } from './migrate.js';
export type { Dialect } from './migrate.js';
export { createSqliteRunWriter } from './sqlite-run-writer.js';
export type { RunWriter, StoredRun } from './sqlite-run-writer.js';
export {
  listRuns, findRun, findLatestRun, listRunFailures, listProjects, markStaleRunsInterrupted,
  encodeCursor, decodeCursor, InvalidCursorError,
} from './repositories/run.repository.js';
export type { RunFilter } from './repositories/run.repository.js';
export { toRun } from './repositories/run-mapper.js';
export { getTrend } from './repositories/trend.repository.js';
export { listWorkers } from './repositories/worker.repository.js';
export { getFailureStats } from './repositories/failure-stats.repository.js';
export type { FailureStatsParams } from './repositories/failure-stats.repository.js';
export { listRunTests } from './repositories/run-tests.repository.js';
export type { RunTestsFilter } from './repositories/run-tests.repository.js';
export { createPostgresRunWriter } from './postgres-run-writer.js';
export type { AsyncRunWriter } from './postgres-run-writer.js';
export { createRunWriter } from './create-run-writer.js';
export { getTestHistory } from './repositories/test-history.repository.js';
export type { TestHistoryParams } from './repositories/test-history.repository.js';
export { listFlakyTests } from './repositories/flaky-tests.repository.js';
export type { FlakyTestsParams } from './repositories/flaky-tests.repository.js';
export { listFailureGroups } from './repositories/failure-groups.repository.js';
export type { FailureGroupsParams } from './repositories/failure-groups.repository.js';
export { compareRuns } from './repositories/run-comparison.repository.js';
export type { ComparedRun, CompareOptions } from './repositories/run-comparison.repository.js';
export { listSlowestTests } from './repositories/slowest-tests.repository.js';
export type { SlowestTestsParams } from './repositories/slowest-tests.repository.js';
export { listClassifiedRunFailures, CLASSIFICATION_WINDOW } from './repositories/failure-classification.repository.js';
