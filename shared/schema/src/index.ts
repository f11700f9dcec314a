export { limits, truncate } from './limits.js';
export { isWellFormedText, toWellFormedText, wireJson } from './unicode.js';
export { ciProviders, booleanWords, reporterVariables, redisKeys, redisKeyFor } from './reporter-contract.js';
export type { CiProvider, IdentityCandidate, ShardSource } from './reporter-contract.js';
export {
  outcomes, runStatuses, OutcomeSchema, RunStatusSchema, TestResultSchema, SummarySchema, RunHeaderSchema, RunResultSchema, runDates,
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
  StoredRunStatusSchema, RunSchema, FailureSchema, ClassifiedFailureSchema, RunDetailSchema, RunFailurePageSchema, RunPageSchema, TrendPointSchema, TrendSchema,
  workerStatuses, WorkerSchema, WorkersSchema, FailureStatSchema, FailureStatsSchema, HealthSchema,
  errorCodes, ErrorBodySchema, AcceptedSchema, RunTestItemSchema, RunTestItemsSchema,
} from './api.js';
export type {
  StoredRunStatus, Run, Failure, ClassifiedFailure, RunDetail, RunFailurePage, RunPage, TrendPoint, Trend, WorkerStatus, Worker, Workers,
  FailureStat, FailureStats, Health, ErrorCode, ErrorBody, Accepted, RunTestItem, RunTestItems,
} from './api.js';
export { failureClassifications, flakyKinds } from './test-labels.js';
export type { FailureClassification, FlakyKind } from './test-labels.js';
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
export type {
  AnyRoute, ErrorResponse, RouteBody, RouteContract, RouteInput, RouteOutput, RouteRequest, RouteTag, SuccessResponse,
} from './http/route.js';
export { parseQueryString, formatQueryString } from './http/query-string.js';
export type { RawQuery } from './http/query-string.js';
export { apiRoutes } from './http/api-routes.js';
export {
  postResultRoute, listResultsRoute, getResultRoute, listResultFailuresRoute, listResultTestsRoute, MAX_NODEIDS, MAX_FAILURES_PAGE,
} from './http/results.js';
export { listBuildsRoute, getBuildRoute } from './http/builds.js';
export { getTrendRoute } from './http/trend.js';
export { listWorkersRoute } from './http/workers.js';
export { getFailureStatsRoute, getFailureGroupsRoute } from './http/failures.js';
export { getFlakyTestsRoute } from './http/flaky.js';
export { getTestHistoryRoute, getSlowestTestsRoute } from './http/tests.js';
export { compareRunsRoute } from './http/compare.js';
export { listProjectsRoute, ProjectsSchema } from './http/projects.js';
export type { Projects } from './http/projects.js';
export { getHealthRoute, getLivenessRoute, LivenessSchema } from './http/health.js';
export type { Liveness } from './http/health.js';
export { getOpenApiRoute, getDocsRoute } from './http/docs.js';
export { getQuarantineRoute, putQuarantineRoute, deleteQuarantineRoute } from './http/quarantine.js';
export {
  quarantineActors, QUARANTINE_REASON_LENGTH, QuarantineEntrySchema, QuarantineChangeSchema, PublishedQuarantineSchema, PublishedDurationsSchema,
  QUARANTINE_EVENT, quarantineEventFields, parseQuarantineEvent,
} from './quarantine.js';
export type {
  QuarantineActor, QuarantineAction, QuarantineEntry, QuarantineChange, QuarantineList, QuarantineChanged, PublishedQuarantine, PublishedDurations,
} from './quarantine.js';
