import { truncate } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured, ToolFailure } from '../tool-result.js';
import { RunSummary } from './run-summary.js';
import type { ToolRegistrar } from './tool-registry.js';

/** Bounds that keep one answer readable: the rest is counted in `omitted`. */
const MAX_FAILURES = 100;
const MAX_TRACEBACK = 8_192;

const GetFailuresInput = z.object({
  project: z.string().min(1).max(255).optional().describe('Project whose latest run to read when run_id is absent'),
  run_id: z.string().min(1).max(128).optional().describe('A run id; the latest run (of the project, if given) when absent'),
});

const GetFailuresOutput = RunSummary.pick({
  run_id: true, project: true, branch: true, commit: true, worker_id: true, status: true, started_at: true, failed: true, errors: true,
}).extend({
  omitted: z.number().int().describe('Failures left out of this answer beyond the first ' + MAX_FAILURES),
  failures: z.array(
    z.object({
      nodeid: z.string(),
      outcome: z.enum(['failed', 'error']),
      message: z.string().nullable(),
      longrepr: z.string().nullable().describe(`Traceback, cut at ${MAX_TRACEBACK} characters`),
      file: z.string().nullable(),
      line: z.number().int().nullable(),
      duration: z.number(),
      attempts: z.number().int(),
    }),
  ),
});

export function registerGetFailuresTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_failures',
    {
      title: 'Failures of a run',
      description: 'The failed and error tests of one run with their messages and tracebacks; the latest run (of the project, if given) when run_id is absent.',
      inputSchema: GetFailuresInput,
      outputSchema: GetFailuresOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_failures', async () => {
        if (args.project !== undefined) await requireProject(ctx, args.project);
        let runId = args.run_id;
        if (runId === undefined) {
          const page = await ctx.api.results({ project: args.project, limit: 1 });
          runId = page.items[0]?.run_id;
          if (runId === undefined) throw new ToolFailure(`No runs stored${args.project ? ` for project ${JSON.stringify(args.project)}` : ''} yet.`);
        }
        const run = await ctx.api.run(runId);
        if (!run) {
          const recent = await ctx.api.results({ project: args.project, limit: 5 });
          const ids = recent.items.map((r) => `${r.run_id} (${r.project}, ${r.started_at})`);
          throw new ToolFailure(
            `Unknown run ${JSON.stringify(runId)}. ${ids.length ? `Most recent runs: ${ids.join('; ')}.` : 'No runs are stored yet.'} Call get_summary to list more.`,
          );
        }
        if (args.project !== undefined && run.project !== args.project) {
          throw new ToolFailure(`Run ${JSON.stringify(runId)} belongs to project ${JSON.stringify(run.project)}, not ${JSON.stringify(args.project)}.`);
        }
        const shown = run.failures.slice(0, MAX_FAILURES);
        return structured({
          run_id: run.run_id,
          project: run.project,
          branch: run.branch,
          commit: run.commit,
          worker_id: run.worker_id,
          status: run.status,
          started_at: run.started_at,
          failed: run.summary.failed,
          errors: run.summary.errors,
          omitted: run.failures.length - shown.length,
          failures: shown.map((f) => ({
            nodeid: f.nodeid,
            outcome: f.outcome,
            message: f.message,
            longrepr: f.longrepr === null ? null : truncate(f.longrepr, MAX_TRACEBACK),
            file: f.file,
            line: f.line,
            duration: f.duration,
            attempts: f.attempts,
          })),
        });
      }),
  );
}
