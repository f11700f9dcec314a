import { FailureStatSchema, getFailureStatsRoute } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const { project, branch, tag } = getFailureStatsRoute.query.shape;

/** The query of `GET /failures/stats` but `since` (a window of whole days only), with this tool's own bounds. */
const GetFailureStatsInput = getFailureStatsRoute.query.omit({ since: true }).extend({
  project: project.describe('Only this project; all projects when absent'),
  branch: branch.describe('Only this branch; all branches when absent'),
  days: z.number().int().min(1).max(365).default(7).describe('Look-back window in whole UTC days, today included'),
  tag: tag.describe('Only tests carrying this tag (pytest marker, Playwright tag, CTRF tag, JUnit property)'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many tests'),
});

const GetFailureStatsOutput = z.object({
  project: z.string().nullable(),
  branch: z.string().nullable(),
  days: z.number().int(),
  tests: z
    .array(FailureStatSchema)
    .describe('Most failures first'),
  ...pageUrlField,
});

export function registerGetFailureStatsTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_failure_stats',
    {
      title: 'Most frequently failing tests',
      description: 'The tests that failed (or errored) most often over the last N days, with their failure rate and last message: candidates for flaky or broken tests.',
      inputSchema: GetFailureStatsInput,
      outputSchema: GetFailureStatsOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_failure_stats', async () => {
        if (args.project !== undefined) await requireProject(ctx, args.project);
        const { items } = await ctx.api.call(getFailureStatsRoute, { query: args });
        const page = pageUrl(ctx, (links) => (args.project === undefined ? links.home() : links.project(args.project, args.branch)));
        return structured({ project: args.project ?? null, branch: args.branch ?? null, days: args.days, tests: items, ...page });
      }),
  );
}
