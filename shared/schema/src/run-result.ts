import { z } from 'zod';
import { limits } from './limits.js';

export const outcomes = ['passed', 'failed', 'skipped', 'error', 'xfailed', 'xpassed'] as const;
export const runStatuses = ['passed', 'failed', 'error', 'interrupted'] as const;

const text = (max: number) => z.string().max(max, { message: `at most ${max} characters` });
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
    .record(z.string().max(limits.nameLength), text(limits.environmentValueLength))
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

export const RunResultSchema = RunHeaderSchema.extend({
  finished_at: timestamp.nullable().default(null),
  duration: seconds.nullable().default(null),
  status: RunStatusSchema,
  summary: SummarySchema.optional(),
  tests: z
    .array(TestResultSchema)
    .max(limits.testsPerRun, { message: `at most ${limits.testsPerRun} tests per run` })
    .superRefine(uniqueNodeids)
    .default([]),
});

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
