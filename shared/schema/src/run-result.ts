import { z } from 'zod';
import { limits } from './limits.js';
import { isWellFormedText } from './unicode.js';

export const outcomes = ['passed', 'failed', 'skipped', 'error', 'xfailed', 'xpassed'] as const;
export const runStatuses = ['passed', 'failed', 'error', 'interrupted'] as const;

const wellFormed = { message: 'not well-formed Unicode (a lone UTF-16 surrogate)' };
const text = (max: number) => z.string().max(max, { message: `at most ${max} characters` }).refine(isWellFormedText, wellFormed);
const nullableText = (max: number) => text(max).nullable().default(null);
const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative().finite();
const timestamp = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time, e.g. 2026-11-26T10:00:00.000Z' });

export const OutcomeSchema = z.enum(outcomes);
export const RunStatusSchema = z.enum(runStatuses);

export const TestResultSchema = z.object({
  nodeid: text(limits.nodeidLength).min(1),
  outcome: OutcomeSchema,
  duration: seconds.default(0),
  message: nullableText(limits.messageLength),
  longrepr: nullableText(limits.longreprLength),
  attempts: z.number().int().min(1).max(1000).default(1),
  file: nullableText(limits.fileLength),
  line: z.number().int().nonnegative().nullable().default(null),
  /** Markers, tags, annotations, report properties: what the test can be selected by. */
  tags: z
    .array(text(limits.tagLength).min(1, { message: 'must not be empty' }))
    .max(limits.tagsPerTest, { message: `at most ${limits.tagsPerTest} tags` })
    .optional(),
  /** The test was quarantined when it ran: its failure did not fail the run's command. */
  quarantined: z.boolean().optional(),
});

export const SummarySchema = z.object({
  total: count,
  passed: count,
  failed: count,
  skipped: count,
  errors: count,
  xfailed: count.default(0),
  xpassed: count.default(0),
  flaky: count.default(0),
});

/** The identity of a run: what every live entry carries, so entries can arrive in any order. */
export const RunHeaderSchema = z.object({
  run_id: z
    .string()
    .min(1)
    .max(limits.runIdLength)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { message: 'letters, digits and . _ : - only' }),
  project: text(limits.nameLength).min(1, { message: 'must not be empty' }),
  branch: nullableText(limits.nameLength),
  commit: nullableText(limits.nameLength),
  worker_id: text(limits.nameLength).min(1).default('unknown'),
  framework: text(limits.nameLength).min(1).default('unknown'),
  framework_version: nullableText(limits.nameLength),
  started_at: timestamp,
  /** The CI pipeline / workflow run this run belongs to, with its attempt; `null` outside CI. */
  build_id: nullableText(limits.nameLength),
  /** `"k/n"` when the run is shard k of n of a split suite. */
  shard: z
    .string()
    .regex(/^[1-9]\d{0,5}\/[1-9]\d{0,5}$/, { message: 'k/n with 1 ≤ k ≤ n, e.g. 2/4' })
    .refine((value) => {
      const [k, n] = value.split('/').map(Number);
      return k! <= n!;
    }, { message: 'k/n with 1 ≤ k ≤ n, e.g. 2/4' })
    .nullable()
    .default(null),
  environment: z
    .record(text(limits.nameLength), text(limits.environmentValueLength))
    .refine((env) => Object.keys(env).length <= limits.environmentKeys, {
      message: `at most ${limits.environmentKeys} keys`,
    })
    .default({}),
});

const uniqueNodeids = (tests: readonly { nodeid: string }[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  for (const [index, test] of tests.entries()) {
    if (seen.has(test.nodeid)) {
      ctx.addIssue({ code: 'custom', path: [index, 'nodeid'], message: `duplicate nodeid ${JSON.stringify(test.nodeid.slice(0, 200))}` });
      return;
    }
    seen.add(test.nodeid);
  }
};

/** What dates a receiver takes: none before 2000-01-01, none more than a day ahead of its own clock. */
export const runDates: Readonly<{ earliest: number; aheadMs: number }> = Object.freeze({ earliest: Date.UTC(2000, 0, 1), aheadMs: 86_400_000 });

/** `iso` in ms when it is a plausible date for a run received now; an issue at `field` otherwise. */
function plausibleDate(iso: string, field: string, ctx: z.RefinementCtx): number | null {
  const ms = Date.parse(iso);
  const now = Date.now();
  let problem: string | null = null;
  if (!Number.isFinite(ms)) problem = 'not a date';
  else if (ms < runDates.earliest) problem = 'before 2000-01-01T00:00:00Z';
  else if (ms > now + runDates.aheadMs) problem = `more than one day ahead of the receiver's clock (${new Date(now).toISOString()})`;
  if (problem === null) return ms;
  ctx.addIssue({ code: 'custom', path: [field], message: problem, input: iso });
  return null;
}

/**
 * Refines an entry's dates: each plausible (from 2000 to one day ahead of the receiver's clock) and
 * `finished_at` not before `started_at`. Applied to what producers send, not to stored runs.
 */
export function checkRunDates(run: { started_at: string; finished_at?: string | null }, ctx: z.RefinementCtx): void {
  const start = plausibleDate(run.started_at, 'started_at', ctx);
  if (run.finished_at === null || run.finished_at === undefined) return;
  const end = plausibleDate(run.finished_at, 'finished_at', ctx);
  if (start !== null && end !== null && end < start) {
    ctx.addIssue({ code: 'custom', path: ['finished_at'], message: `before started_at (${run.started_at})`, input: run.finished_at });
  }
}

const runResultFields = RunHeaderSchema.extend({
  finished_at: timestamp.nullable().default(null),
  duration: seconds.nullable().default(null),
  status: RunStatusSchema,
  summary: SummarySchema.optional(),
});

/** A RunResult without its tests (dates refined the same way): what `parseEntry`'s fast path gives zod. */
export const RunResultHeadSchema = runResultFields.superRefine(checkRunDates);

export const RunResultSchema = runResultFields.extend({
  tests: z
    .array(TestResultSchema)
    .max(limits.testsPerRun, { message: `at most ${limits.testsPerRun} tests per run` })
    .superRefine(uniqueNodeids)
    .default([]),
}).superRefine(checkRunDates);

export type Outcome = z.infer<typeof OutcomeSchema>;
export type RunStatus = z.infer<typeof RunStatusSchema>;
export type TestResult = z.infer<typeof TestResultSchema>;
export type TestResultInput = z.input<typeof TestResultSchema>;
export type Summary = z.infer<typeof SummarySchema>;
export type RunHeader = z.infer<typeof RunHeaderSchema>;
/** A validated RunResult; `summary` may still be absent (see {@link summarize}). */
export type RunResult = z.infer<typeof RunResultSchema>;
/** What a producer may send: defaults not yet applied. */
export type RunResultInput = z.input<typeof RunResultSchema>;
