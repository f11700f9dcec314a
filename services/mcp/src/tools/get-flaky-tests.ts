import { getFlakyTestsRoute } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const { project, branch, tag } = getFlakyTestsRoute.query.shape;

/** The query of `GET /flaky`, with this tool's own bounds (out of range is an error, not clamped). */
const GetFlakyTestsInput = getFlakyTestsRoute.query.extend({
  project: project.describe('Project name'),
  branch: branch.describe('Only runs of this branch; all branches when absent'),
  window: z.number().int().min(1).max(200).default(30).describe('The last N finished runs to look at'),
  tag: tag.describe('Only tests carrying this tag (pytest marker, Playwright tag, CTRF tag, JUnit property)'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many tests'),
});

export function registerGetFlakyTestsTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_flaky_tests',
    {
      title: 'Flaky tests',
      description:
        'Tests that are flaky in the last N runs, ranked by flip rate, each with its evidence (run ids): passed after retries (retry), '
        + 'passed and failed on the same commit (same_commit), or went back and forth between pass and fail (flip). Tests that fail every time are broken, not listed.',
      inputSchema: GetFlakyTestsInput,
      outputSchema: getFlakyTestsRoute.response.schema.extend(pageUrlField),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_flaky_tests', async () => {
        await requireProject(ctx, args.project);
        const answer = await ctx.api.call(getFlakyTestsRoute, { query: args });
        return structured({ ...answer, ...pageUrl(ctx, (links) => links.flaky(answer.project, answer.branch)) });
      }),
  );
}
