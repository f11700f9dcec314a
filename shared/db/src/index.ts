export type { Database, Db } from './database.js';
export type { RunTable, RunRow, NewRun, RunUpdate } from './tables/run.table.js';
export type { TestTable, TestRow, NewTest } from './tables/test.table.js';
export type { ResultTable, ResultRow, NewResult } from './tables/result.table.js';
export type { WorkerTable, WorkerRow, NewWorker } from './tables/worker.table.js';
export type { BuildTable, BuildRow, NewBuild } from './tables/build.table.js';
export type { TestTagTable, TestTagRow } from './tables/test-tag.table.js';
export { parseDatabaseUrl, DEFAULT_SQLITE_FILE } from '@pytest-platform/config';
export type { DatabaseTarget } from '@pytest-platform/config';
export { openDatabase, optimizeSqlite } from './open-database.js';
export type { Store, OpenOptions } from './open-database.js';
export { migrateToLatest } from './migrate.js';
export type { MigrationProgress } from './migrate.js';
export type { Dialect } from './migrate.js';
export { createRunWriter } from './create-run-writer.js';
export type { RunWriter, StoredRun } from './run-writer.js';
export { RunIdTakenError } from './run-writer.js';
export { findRunOwner } from './repositories/run-owner.repository.js';
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
export { deleteRunsStartedBefore, RETENTION_BATCH_RUNS } from './repositories/retention.repository.js';
export { listBuilds, findBuild } from './repositories/build.repository.js';
export type { BuildFilter } from './repositories/build.repository.js';
export { normalizeFailureMessage, failureText, failureSignature } from './intelligence/failure-signature.js';
export { assessFlakiness, classifyFailure, MIN_FLAKY_FLIPS } from './intelligence/flakiness.js';
export type { Flakiness, TestOutcome } from './intelligence/flakiness.js';
export {
  quarantineTest, releaseTest, releaseExpired, listQuarantine, listQuarantineHistory, publishedQuarantine, quarantinedProjects,
  announceQuarantineChanges,
} from './repositories/quarantine.repository.js';
export type { QuarantineInput, ReleaseInput, QuarantineChanged } from './repositories/quarantine.repository.js';
export { countQuarantinePasses, applyAutoQuarantine } from './repositories/quarantine-policy.repository.js';
export type { QuarantinePolicy } from './repositories/quarantine-policy.repository.js';
export { foldFinishedRuns, FOLD_CURSOR_LAG } from './repositories/fold.repository.js';
export type { FoldRun, FoldOptions } from './repositories/fold.repository.js';
export { foldRunDurations, publishedDurations, projectsWithDurations, DURATION_WEIGHT, PUBLISHED_DURATIONS_CAP } from './repositories/durations.repository.js';
