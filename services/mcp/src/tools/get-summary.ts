import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';
import { RunSummary, toRunSummary } from './run-summary.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const GetSummaryInput = z.object({
  project: z.string().min(1).max(255).optional().describe('Only runs of this project; all projects when absent'),
  limit: z.number().int().min(1).max(100).default(10).describe('How many of the most recent runs'),
});


const GetSummaryOutput = z.object({
  project: z.string().nullable(),
  count: z.number().int(),
  runs: z.array(RunSummary).describe('Newest first'),
  ...pageUrlField,
});

export function registerGetSummaryTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_summary',
    {
      title: 'Summarise recent runs',
      description: 'The last N test runs (newest first) with counts, pass rate, duration, branch, commit and worker.',
      inputSchema: GetSummaryInput,
      outputSchema: GetSummaryOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_summary', async () => {
        if (args.project !== undefined) await requireProject(ctx, args.project);
        const page = await ctx.api.results({ project: args.project, limit: args.limit });
        const runs = page.items.map(toRunSummary);
        const url = pageUrl(ctx, (links) => (args.project === undefined ? links.home() : links.project(args.project)));
        return structured({ project: args.project ?? null, count: runs.length, runs, ...url });
      }),
  );
}
