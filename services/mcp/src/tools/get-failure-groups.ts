import { getFailureGroupsRoute } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const { project, branch } = getFailureGroupsRoute.query.shape;

/** The query of `GET /failures/groups`, with this tool's own bounds (out of range is an error, not clamped). */
const GetFailureGroupsInput = getFailureGroupsRoute.query.extend({
  project: project.describe('Project name'),
  branch: branch.describe('Only runs of this branch; all branches when absent'),
  days: z.number().int().min(1).max(365).default(7).describe('Look-back window in whole UTC days, today included'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many groups'),
});

export function registerGetFailureGroupsTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_failure_groups',
    {
      title: 'Failures grouped by cause',
      description:
        'Failures of the last N days grouped by signature (the message with numbers, ids, addresses, temp paths and quoted values masked; '
        + 'the exception type kept): how often, how many tests, first and last seen, one example. One group is usually one root cause.',
      inputSchema: GetFailureGroupsInput,
      outputSchema: getFailureGroupsRoute.response.schema.extend(pageUrlField),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_failure_groups', async () => {
        await requireProject(ctx, args.project);
        const answer = await ctx.api.call(getFailureGroupsRoute, { query: args });
        return structured({ ...answer, ...pageUrl(ctx, (links) => links.project(answer.project, answer.branch)) });
      }),
  );
}
