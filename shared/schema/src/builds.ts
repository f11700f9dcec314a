import { z } from 'zod';
import { RunSchema, StoredRunStatusSchema, type StoredRunStatus } from './api.js';
import { SummarySchema } from './run-result.js';

/**
 * A build's status is the worst of its runs' in this order, worst first: a run that could not run its
 * tests (`error`) outweighs failing tests, both outweigh a run cut short (`interrupted`), and a build
 * with a run still going is `running` until that run ends; `passed` only when every run passed.
 */
export const buildStatusOrder = ['error', 'failed', 'interrupted', 'running', 'passed'] as const satisfies readonly StoredRunStatus[];

/** The worst of `statuses` by {@link buildStatusOrder}; `passed` for none. */
export function worstRunStatus(statuses: Iterable<StoredRunStatus>): StoredRunStatus {
  let worst = buildStatusOrder.length - 1;
  for (const status of statuses) worst = Math.min(worst, buildStatusOrder.indexOf(status));
  return buildStatusOrder[worst]!;
}

/**
 * The runs of one CI build (one `build_id` in one project) taken together (`GET /builds`): counts
 * summed, status the worst of its runs, `duration` from the first start to the last finish in
 * seconds (`null` while a run is still running).
 */
export const BuildSchema = z.object({
  build_id: z.string(),
  project: z.string(),
  /** Branch and commit of the build's first stored run. */
  branch: z.string().nullable(),
  commit: z.string().nullable(),
  status: StoredRunStatusSchema,
  run_count: z.number().int(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration: z.number().nullable(),
  summary: SummarySchema,
  pass_rate: z.number().min(0).max(1).nullable(),
  /** The distinct `shard` values (`"k/n"`) of its runs, by n then k. */
  shards: z.array(z.string()),
});

export const BuildPageSchema = z.object({ items: z.array(BuildSchema), next_cursor: z.string().nullable() });

/** `GET /builds/{build_id}`: the build and its runs in start order. */
export const BuildDetailSchema = BuildSchema.extend({ runs: z.array(RunSchema) });

export type Build = z.infer<typeof BuildSchema>;
export type BuildPage = z.infer<typeof BuildPageSchema>;
export type BuildDetail = z.infer<typeof BuildDetailSchema>;
