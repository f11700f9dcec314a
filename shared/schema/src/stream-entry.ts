import { z } from 'zod';
import { limits } from './limits.js';
import { toWellFormedText } from './unicode.js';
import { checkRunDates, RunHeaderSchema, RunResultHeadSchema, RunResultSchema, RunStatusSchema, SummarySchema, TestResultSchema } from './run-result.js';
import { checkTestResults } from './test-results-check.js';

/** Default stream names; `RESULTS_STREAM` overrides the base and the others follow it. */
export const DEFAULT_RESULTS_STREAM = 'pytest-platform:results';
export const streamNames = (resultsStream: string = DEFAULT_RESULTS_STREAM) => ({
  results: resultsStream,
  /** Entries that can never be written, each with its reason. */
  dead: `${resultsStream}:dead`,
  /** Runs announced by ingest after they were committed (for alerts). */
  events: `${resultsStream}:events`,
});
export const INGEST_GROUP = 'ingest';

export const entryTypes = ['run', 'run.started', 'run.tests', 'run.finished'] as const;
export type EntryType = (typeof entryTypes)[number];

export const RunStartedSchema = RunHeaderSchema.superRefine(checkRunDates);
const runTestsFields = RunHeaderSchema.extend({
  /** Position of the batch in the run, from 0; informational (ingest is order-independent). */
  seq: z.number().int().nonnegative().default(0),
});
/** A `run.tests` entry without its tests: what `parseEntry`'s fast path gives zod. */
const RunTestsHeadSchema = runTestsFields.superRefine(checkRunDates);
export const RunTestsSchema = runTestsFields.extend({
  tests: z.array(TestResultSchema).min(1).max(limits.testsPerBatch, { message: `at most ${limits.testsPerBatch} tests per batch` }),
}).superRefine(checkRunDates);
export const RunFinishedSchema = RunHeaderSchema.extend({
  finished_at: z.iso.datetime({ offset: true }),
  duration: z.number().nonnegative().finite().nullable().default(null),
  status: RunStatusSchema,
  summary: SummarySchema.optional(),
}).superRefine(checkRunDates);

export const entrySchemas = {
  run: RunResultSchema,
  'run.started': RunStartedSchema,
  'run.tests': RunTestsSchema,
  'run.finished': RunFinishedSchema,
} as const;

export type RunStarted = z.infer<typeof RunStartedSchema>;
export type RunTests = z.infer<typeof RunTestsSchema>;
export type RunFinished = z.infer<typeof RunFinishedSchema>;

export type StreamEntry =
  | { type: 'run'; data: z.infer<typeof RunResultSchema> }
  | { type: 'run.started'; data: RunStarted }
  | { type: 'run.tests'; data: RunTests }
  | { type: 'run.finished'; data: RunFinished };

export type ParsedEntry = { ok: true; entry: StreamEntry } | { ok: false; reason: string };

/** Turns zod issues into one line: `tests.3.outcome: Invalid option…; project: must not be empty`. */
export function describeIssues(error: z.ZodError, max = 5): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const path = toWellFormedText(issue.path.map(String).join('.'));
    // A record's key that fails its rule: the key's own rule says why.
    const message = issue.code === 'invalid_key' && issue.issues[0] ? `key: ${issue.issues[0].message}` : issue.message;
    return path ? `${path}: ${message}` : message;
  });
  const more = error.issues.length > max ? ` (+${error.issues.length - max} more)` : '';
  return parts.join('; ') + more;
}

const wholeRunTests = { min: 0, max: limits.testsPerRun, uniqueNodeids: true };
const liveBatchTests = { min: 1, max: limits.testsPerBatch, uniqueNodeids: false };

/**
 * An entry with tests checked the cheap way: its own fields by zod, its tests by
 * {@link checkTestResults}; null when either refuses, so that zod's full parse gives the reason.
 */
function parseFast(type: EntryType, json: unknown): StreamEntry | null {
  if (type !== 'run' && type !== 'run.tests') return null;
  if (typeof json !== 'object' || json === null) return null;
  const given = (json as { tests?: unknown }).tests;
  const tests = type === 'run' ? checkTestResults(given === undefined ? [] : given, wholeRunTests) : checkTestResults(given, liveBatchTests);
  if (tests === null) return null;
  const head = (type === 'run' ? RunResultHeadSchema : RunTestsHeadSchema).safeParse(json);
  return head.success ? ({ type, data: { ...head.data, tests } } as StreamEntry) : null;
}

/**
 * Validates one stream entry given as its two fields. Never throws: anything that cannot be
 * stored comes back with the reason, for the dead-letter stream.
 */
export function parseEntry(type: string | undefined, data: string | undefined): ParsedEntry {
  if (type === undefined) return { ok: false, reason: 'missing field "type"' };
  if (!(entryTypes as readonly string[]).includes(type)) {
    return { ok: false, reason: `unknown type ${JSON.stringify(type.slice(0, 100))}; expected one of ${entryTypes.join(', ')}` };
  }
  if (data === undefined) return { ok: false, reason: 'missing field "data"' };
  if (data.length > limits.entryBytes) return { ok: false, reason: `data larger than ${limits.entryBytes} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (error) {
    return { ok: false, reason: `data is not JSON: ${(error as Error).message}` };
  }
  const fast = parseFast(type as EntryType, json);
  if (fast !== null) return { ok: true, entry: fast };
  const result = entrySchemas[type as EntryType].safeParse(json);
  if (!result.success) return { ok: false, reason: `invalid ${type}: ${describeIssues(result.error)}` };
  return { ok: true, entry: { type, data: result.data } as StreamEntry };
}
