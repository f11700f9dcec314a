import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SlowTestsSchema } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';

export const GetSlowestTestsInput = z.object({
  project: z.string().min(1).max(255).describe('Project name'),
  branch: z.string().min(1).max(255).optional().describe('Only runs of this branch; all branches when absent'),
  runs: z.number().int().min(1).max(50).default(10).describe('Recent finished runs to take the median over'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many tests'),
});

export function registerGetSlowestTestsTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'get_slowest_tests',
    {
      title: 'Slowest tests',
      description: 'Tests by median duration over the recent runs, slowest first, with the latest duration and the trend (slower, faster or stable between the older and newer half of those runs).',
      inputSchema: GetSlowestTestsInput,
      outputSchema: SlowTestsSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_slowest_tests', async () => {
        await requireProject(ctx, args.project);
        return structured(await ctx.api.slowest(args));
      }),
  );
}
