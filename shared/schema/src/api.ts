import { z } from 'zod';
import { FailureClassificationSchema } from './intelligence.js';
import { OutcomeSchema, RunHeaderSchema, RunStatusSchema, SummarySchema, TestResultSchema } from './run-result.js';

/**
 * Response bodies of the read API. The API serves them and the MCP service reads them,
 * so both sides use these schemas (and the OpenAPI document is generated from them).
 */
export const StoredRunStatusSchema = z.union([RunStatusSchema, z.literal('running')]);

export const RunSchema = RunHeaderSchema.extend({
  finished_at: z.string().nullable(),
  duration: z.number().nullable(),
  status: StoredRunStatusSchema,
  summary: SummarySchema,
  pass_rate: z.number().min(0).max(1).nullable(),
});

export const FailureSchema = TestResultSchema.extend({ outcome: OutcomeSchema.extract(['failed', 'error']) });

/** A failure of a run with `classification`: `new`, `recurring` or `flaky` (see `classifyFailure`). */
export const ClassifiedFailureSchema = FailureSchema.extend({ classification: FailureClassificationSchema });

/** A page of a run's failures, in test id order (the order the project first stored each test). */
const failuresNextCursor = z.string().nullable().describe('Cursor of the next page of failures (`GET /results/{run_id}/failures?cursor=`); null when none are left.');

/** A run with the first page of its failures; the rest is paged through `GET /results/{run_id}/failures`. */
export const RunDetailSchema = RunSchema.extend({
  failures: z.array(ClassifiedFailureSchema).describe('The first `failures_limit` failed and error tests.'),
  failures_total: z.number().int().describe('Failed and error tests stored for the run.'),
  failures_next_cursor: failuresNextCursor,
});

/** One page of a run's failures (`GET /results/{run_id}/failures`). */
export const RunFailurePageSchema = z.object({
  run_id: z.string(),
  items: z.array(ClassifiedFailureSchema),
  next_cursor: failuresNextCursor,
  total: z.number().int().describe('Failed and error tests stored for the run.'),
});

export const RunPageSchema = z.object({ items: z.array(RunSchema), next_cursor: z.string().nullable() });

export const TrendPointSchema = z.object({
  run_id: z.string(),
  started_at: z.string(),
  pass_rate: z.number().nullable(),
  total: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  errors: z.number().int(),
  skipped: z.number().int(),
  duration: z.number().nullable(),
});
export const TrendSchema = z.object({
  project: z.string(),
  branch: z.string().nullable(),
  points: z.array(TrendPointSchema),
});

export const workerStatuses = ['running', 'online', 'offline'] as const;
export const WorkerSchema = z.object({
  worker_id: z.string(),
  status: z.enum(workerStatuses),
  last_seen: z.string(),
  last_run_id: z.string().nullable(),
  project: z.string().nullable(),
  branch: z.string().nullable(),
  runs_24h: z.number().int(),
  pass_rate_24h: z.number().nullable(),
});
export const WorkersSchema = z.object({ items: z.array(WorkerSchema), next_cursor: z.string().nullable() });

export const FailureStatSchema = z.object({
  nodeid: z.string(),
  project: z.string(),
  failures: z.number().int(),
  runs: z.number().int(),
  failure_rate: z.number(),
  last_failed_at: z.string(),
  last_message: z.string().nullable(),
});
export const FailureStatsSchema = z.object({ items: z.array(FailureStatSchema) });

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  redis: z.object({ ok: z.boolean(), error: z.string().optional() }),
  db: z.object({ ok: z.boolean(), dialect: z.string(), error: z.string().optional() }),
  ingest: z.object({
    pending: z.number().int().nullable(),
    lag: z.number().int().nullable(),
    dead_letters: z.number().int().nullable(),
  }),
});

export const errorCodes = [
  'invalid_body', 'invalid_query', 'invalid_json', 'payload_too_large', 'unsupported_media_type',
  'unauthorized', 'forbidden', 'not_found', 'method_not_allowed', 'run_id_taken', 'unavailable', 'internal',
  // Answered by the HTTP server itself to a request it cannot parse or that arrives too slowly.
  'bad_request', 'request_timeout', 'headers_too_large',
] as const;
export type ErrorCode = (typeof errorCodes)[number];
export const ErrorBodySchema = z.object({ error: z.object({ code: z.enum(errorCodes), message: z.string() }) });

export const AcceptedSchema = z.object({ run_id: z.string(), stream_id: z.string() });

export type StoredRunStatus = z.infer<typeof StoredRunStatusSchema>;
export type Run = z.infer<typeof RunSchema>;
export type Failure = z.infer<typeof FailureSchema>;
export type ClassifiedFailure = z.infer<typeof ClassifiedFailureSchema>;
export type RunDetail = z.infer<typeof RunDetailSchema>;
export type RunFailurePage = z.infer<typeof RunFailurePageSchema>;
export type RunPage = z.infer<typeof RunPageSchema>;
export type TrendPoint = z.infer<typeof TrendPointSchema>;
export type Trend = z.infer<typeof TrendSchema>;
export type WorkerStatus = (typeof workerStatuses)[number];
export type Worker = z.infer<typeof WorkerSchema>;
export type Workers = z.infer<typeof WorkersSchema>;
export type FailureStat = z.infer<typeof FailureStatSchema>;
export type FailureStats = z.infer<typeof FailureStatsSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
export type Accepted = z.infer<typeof AcceptedSchema>;

/** One test's result in one run (`GET /results/{run_id}/tests`). */
export const RunTestItemSchema = z.object({
  nodeid: z.string(),
  outcome: OutcomeSchema,
  duration: z.number(),
  attempts: z.number().int(),
  message: z.string().nullable(),
  /** The tags the test carried in this run; empty when none (and from an API older than tags). */
  tags: z.array(z.string()).default([]),
  /** The test was quarantined when it ran (the reporter said so); false otherwise. */
  quarantined: z.boolean().default(false),
});
export const RunTestItemsSchema = z.object({ run_id: z.string(), items: z.array(RunTestItemSchema) });
export type RunTestItem = z.infer<typeof RunTestItemSchema>;
export type RunTestItems = z.infer<typeof RunTestItemsSchema>;
