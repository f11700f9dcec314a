import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { FailureStatSchema } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';

export const GetFailureStatsInput = z.object({
  project: z.string().min(1).max(255).optional().describe('Only this project; all projects when absent'),
  branch: z.string().min(1).max(255).optional().describe('Only this branch; all branches when absent'),
  days: z.number().int().min(1).max(365).default(7).describe('Look-back window in whole UTC days, today included'),
  tag: z.string().min(1).max(100).optional().describe('Only tests carrying this tag (pytest marker, Playwright tag, CTRF tag, JUnit property)'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many tests'),
});

export const GetFailureStatsOutput = z.object({
  project: z.string().nullable(),
  branch: z.string().nullable(),
  days: z.number().int(),
  tests: z
    .array(FailureStatSchema)
    .describe('Most failures first'),
});

export function registerGetFailureStatsTool(server: McpServer, ctx: ToolContext): void {
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
        const { items } = await ctx.api.failureStats({ project: args.project, branch: args.branch, days: args.days, tag: args.tag, limit: args.limit });
        return structured({ project: args.project ?? null, branch: args.branch ?? null, days: args.days, tests: items });
      }),
  );
}
