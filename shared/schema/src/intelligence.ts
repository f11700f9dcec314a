import { z } from 'zod';
import { failureClassifications, flakyKinds } from './test-labels.js';
import { OutcomeSchema } from './run-result.js';

/**
 * Response bodies of the test-intelligence routes: per-test history, flaky tests, failure groups,
 * run comparison and slowest tests.
 */
export const FailureClassificationSchema = z.enum(failureClassifications);
export const FlakyKindSchema = z.enum(flakyKinds);

export const TestHistoryEntrySchema = z.object({
  run_id: z.string(),
  started_at: z.string(),
  branch: z.string().nullable(),
  commit: z.string().nullable(),
  worker_id: z.string(),
  outcome: OutcomeSchema,
  duration: z.number(),
  attempts: z.number().int(),
  message: z.string().nullable(),
});
export const TestHistorySchema = z.object({
  project: z.string(),
  nodeid: z.string(),
  branch: z.string().nullable(),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  /** How many of the newest runs were looked at. */
  runs_scanned: z.number().int(),
  items: z.array(TestHistoryEntrySchema),
});

export const FlakyTestSchema = z.object({
  nodeid: z.string(),
  file: z.string().nullable(),
  kinds: z.array(FlakyKindSchema),
  runs: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  flips: z.number().int(),
  flip_rate: z.number().nullable(),
  last_run_id: z.string(),
  evidence: z.object({ retry: z.array(z.string()), same_commit: z.array(z.string()), flip: z.array(z.string()) }),
});
export const FlakyTestsSchema = z.object({
  project: z.string(),
  branch: z.string().nullable(),
  /** Runs in the window. */
  window: z.number().int(),
  items: z.array(FlakyTestSchema),
});

export const FailureGroupSchema = z.object({
  signature: z.string(),
  normalized: z.string(),
  failures: z.number().int(),
  tests: z.number().int(),
  first_seen: z.string(),
  last_seen: z.string(),
  example: z.object({ nodeid: z.string(), run_id: z.string(), message: z.string().nullable() }),
});
export const FailureGroupsSchema = z.object({
  project: z.string(),
  branch: z.string().nullable(),
  days: z.number().int(),
  items: z.array(FailureGroupSchema),
});

const CompareTestSchema = z.object({
  nodeid: z.string(),
  base_outcome: OutcomeSchema.nullable(),
  head_outcome: OutcomeSchema.nullable(),
  base_duration: z.number().nullable(),
  head_duration: z.number().nullable(),
  message: z.string().nullable(),
});
const compareCategory = z.object({ count: z.number().int(), items: z.array(CompareTestSchema) });
export const compareCategories = ['newly_failing', 'fixed', 'still_failing', 'added', 'removed', 'slower'] as const;
export const RunComparisonSchema = z.object({
  base: z.object({ run_id: z.string(), project: z.string(), branch: z.string().nullable(), commit: z.string().nullable(), started_at: z.string() }),
  head: z.object({ run_id: z.string(), project: z.string(), branch: z.string().nullable(), commit: z.string().nullable(), started_at: z.string() }),
  newly_failing: compareCategory,
  fixed: compareCategory,
  still_failing: compareCategory,
  added: compareCategory,
  removed: compareCategory,
  slower: compareCategory,
});

export const SlowTestSchema = z.object({
  nodeid: z.string(),
  median_duration: z.number(),
  latest_duration: z.number(),
  runs: z.number().int(),
  /** Median of the newer half of the runs over the median of the older half; `null` under two runs. */
  change: z.number().nullable(),
  trend: z.enum(['slower', 'faster', 'stable']).nullable(),
});
export const SlowTestsSchema = z.object({
  project: z.string(),
  branch: z.string().nullable(),
  runs: z.number().int(),
  items: z.array(SlowTestSchema),
});

export type TestHistoryEntry = z.infer<typeof TestHistoryEntrySchema>;
export type TestHistory = z.infer<typeof TestHistorySchema>;
export type FlakyTest = z.infer<typeof FlakyTestSchema>;
export type FlakyTests = z.infer<typeof FlakyTestsSchema>;
export type FailureGroup = z.infer<typeof FailureGroupSchema>;
export type FailureGroups = z.infer<typeof FailureGroupsSchema>;
export type CompareCategory = (typeof compareCategories)[number];
export type CompareTest = z.infer<typeof CompareTestSchema>;
export type RunComparison = z.infer<typeof RunComparisonSchema>;
export type SlowTest = z.infer<typeof SlowTestSchema>;
export type SlowTests = z.infer<typeof SlowTestsSchema>;
