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
