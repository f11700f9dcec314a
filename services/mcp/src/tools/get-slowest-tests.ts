import { getSlowestTestsRoute } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const { project, branch } = getSlowestTestsRoute.query.shape;

/** The query of `GET /tests/slowest`, with this tool's own bounds (out of range is an error, not clamped). */
const GetSlowestTestsInput = getSlowestTestsRoute.query.extend({
  project: project.describe('Project name'),
  branch: branch.describe('Only runs of this branch; all branches when absent'),
  runs: z.number().int().min(1).max(50).default(10).describe('Recent finished runs to take the median over'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many tests'),
});

export function registerGetSlowestTestsTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_slowest_tests',
    {
      title: 'Slowest tests',
      description: 'Tests by median duration over the recent runs, slowest first, with the latest duration and the trend (slower, faster or stable between the older and newer half of those runs).',
      inputSchema: GetSlowestTestsInput,
      outputSchema: getSlowestTestsRoute.response.schema.extend(pageUrlField),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_slowest_tests', async () => {
        await requireProject(ctx, args.project);
        const answer = await ctx.api.call(getSlowestTestsRoute, { query: args });
        return structured({ ...answer, ...pageUrl(ctx, (links) => links.project(answer.project, answer.branch)) });
      }),
  );
}
