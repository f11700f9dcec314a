export { limits, truncate } from './limits.js';
export { ciProviders, booleanWords, reporterVariables } from './reporter-contract.js';
export type { CiProvider, IdentityCandidate, ShardSource } from './reporter-contract.js';
export {
  outcomes, runStatuses, OutcomeSchema, RunStatusSchema, TestResultSchema, SummarySchema, RunHeaderSchema, RunResultSchema,
} from './run-result.js';
export type {
  Outcome, RunStatus, TestResult, TestResultInput, Summary, RunHeader, RunResult, RunResultInput,
} from './run-result.js';
export { emptySummary, summarize, addSummaries, passRate, statusFromSummary } from './summary.js';
export {
  DEFAULT_RESULTS_STREAM, streamNames, INGEST_GROUP, entryTypes, entrySchemas,
  RunStartedSchema, RunTestsSchema, RunFinishedSchema, describeIssues, parseEntry,
} from './stream-entry.js';
export type { EntryType, RunStarted, RunTests, RunFinished, StreamEntry, ParsedEntry } from './stream-entry.js';
export { runResultJsonSchema } from './json-schema.js';
export {
  StoredRunStatusSchema, RunSchema, FailureSchema, ClassifiedFailureSchema, RunDetailSchema, RunPageSchema, TrendPointSchema, TrendSchema,
  workerStatuses, WorkerSchema, WorkersSchema, FailureStatSchema, FailureStatsSchema, HealthSchema,
  errorCodes, ErrorBodySchema, AcceptedSchema, RunTestItemSchema, RunTestItemsSchema,
} from './api.js';
export type {
  StoredRunStatus, Run, Failure, ClassifiedFailure, RunDetail, RunPage, TrendPoint, Trend, WorkerStatus, Worker, Workers,
  FailureStat, FailureStats, Health, ErrorCode, ErrorBody, Accepted, RunTestItem, RunTestItems,
} from './api.js';
export { normalizeFailureMessage, failureText, failureSignature } from './failure-signature.js';
export {
  assessFlakiness, classifyFailure, failureClassifications, flakyKinds, MIN_FLAKY_FLIPS,
} from './flakiness.js';
export type { FailureClassification, FlakyKind, Flakiness, TestOutcome } from './flakiness.js';
export {
  FailureClassificationSchema, FlakyKindSchema, TestHistoryEntrySchema, TestHistorySchema, FlakyTestSchema, FlakyTestsSchema,
  FailureGroupSchema, FailureGroupsSchema, compareCategories, RunComparisonSchema, SlowTestSchema, SlowTestsSchema,
} from './intelligence.js';
export type {
  TestHistoryEntry, TestHistory, FlakyTest, FlakyTests, FailureGroup, FailureGroups, CompareCategory, CompareTest,
  RunComparison, SlowTest, SlowTests,
} from './intelligence.js';
export { buildStatusOrder, worstRunStatus, BuildSchema, BuildPageSchema, BuildDetailSchema } from './builds.js';
export type { Build, BuildPage, BuildDetail } from './builds.js';
