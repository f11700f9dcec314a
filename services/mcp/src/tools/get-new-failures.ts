import { FailureClassificationSchema, MAX_FAILURES_PAGE } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured, ToolFailure } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const MAX_FAILURES = 100;

const GetNewFailuresInput = z.object({
  project: z.string().min(1).max(255).describe('Project name'),
  branch: z.string().min(1).max(255).optional().describe('Branch whose latest run to read; any branch when absent'),
  run_id: z.string().min(1).max(128).optional().describe('A run id instead of the latest run'),
});

const GetNewFailuresOutput = z.object({
  run_id: z.string(),
  project: z.string(),
  branch: z.string().nullable(),
  commit: z.string().nullable(),
  started_at: z.string(),
  counts: z.object({ new: z.number().int(), recurring: z.number().int(), flaky: z.number().int() })
    .describe(`Classifications of the run's first \`classified\` failures (at most ${MAX_FAILURES_PAGE})`),
  total: z.number().int().describe('Failed and error tests stored for the run'),
  classified: z.number().int().describe('Failures the counts and the list are taken from: all of them, or the first ' + MAX_FAILURES_PAGE),
  omitted: z.number().int().describe(`New failures left out beyond the first ${MAX_FAILURES}`),
  failures: z.array(z.object({
    nodeid: z.string(),
    outcome: z.enum(['failed', 'error']),
    classification: FailureClassificationSchema,
    message: z.string().nullable(),
    file: z.string().nullable(),
    line: z.number().int().nullable(),
  })).describe('The new failures: first failure of the test on this branch in the window, or it passed the previous time'),
  ...pageUrlField,
});

export function registerGetNewFailuresTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_new_failures',
    {
      title: 'New failures of the latest run',
      description:
        'The failures of the latest run of a project (or branch) that are new, i.e. not already failing before and not known flaky, '
        + 'with how many failures were recurring or flaky: what a change most likely broke.',
      inputSchema: GetNewFailuresInput,
      outputSchema: GetNewFailuresOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_new_failures', async () => {
        await requireProject(ctx, args.project);
        let runId = args.run_id;
        if (runId === undefined) {
          runId = (await ctx.api.results({ project: args.project, branch: args.branch, limit: 1 })).items[0]?.run_id;
          if (runId === undefined) throw new ToolFailure(`No runs stored for project ${JSON.stringify(args.project)}${args.branch ? ` on branch ${JSON.stringify(args.branch)}` : ''} yet.`);
        }
        const run = await ctx.api.run(runId, { failuresLimit: MAX_FAILURES_PAGE });
        if (!run || run.project !== args.project) throw new ToolFailure(`Unknown run ${JSON.stringify(runId)} in project ${JSON.stringify(args.project)}. Call get_summary to list runs.`);
        const counts = { new: 0, recurring: 0, flaky: 0 };
        for (const f of run.failures) counts[f.classification]++;
        const fresh = run.failures.filter((f) => f.classification === 'new');
        const shown = fresh.slice(0, MAX_FAILURES);
        return structured({
          run_id: run.run_id, project: run.project, branch: run.branch, commit: run.commit, started_at: run.started_at, counts,
          total: run.failures_total, classified: run.failures.length,
          omitted: fresh.length - shown.length,
          failures: shown.map((f) => ({ nodeid: f.nodeid, outcome: f.outcome, classification: f.classification, message: f.message, file: f.file, line: f.line })),
          ...pageUrl(ctx, (links) => links.run(run.run_id)),
        });
      }),
  );
}
