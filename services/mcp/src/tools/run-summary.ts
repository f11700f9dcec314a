import type { Run } from '@pytest-platform/schema';
import { z } from 'zod';

/** One run as the MCP tools show it: identity, counts, pass rate, duration. */
export const RunSummary = z.object({
  run_id: z.string(),
  project: z.string(),
  branch: z.string().nullable(),
  commit: z.string().nullable(),
  worker_id: z.string(),
  status: z.string(),
  started_at: z.string(),
  duration: z.number().nullable().describe('seconds'),
  pass_rate: z.number().nullable().describe('passed / (passed + failed + errors); null when nothing executed'),
  total: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  errors: z.number().int(),
  skipped: z.number().int(),
  flaky: z.number().int(),
});

/** A Run of the API as a {@link RunSummary}. */
export function toRunSummary(run: Run): z.infer<typeof RunSummary> {
  return {
    run_id: run.run_id,
    project: run.project,
    branch: run.branch,
    commit: run.commit,
    worker_id: run.worker_id,
    status: run.status,
    started_at: run.started_at,
    duration: run.duration,
    pass_rate: run.pass_rate,
    total: run.summary.total,
    passed: run.summary.passed,
    failed: run.summary.failed,
    errors: run.summary.errors,
    skipped: run.summary.skipped,
    flaky: run.summary.flaky,
  };
}
