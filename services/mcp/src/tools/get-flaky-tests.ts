import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { FlakyTestsSchema } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';

export const GetFlakyTestsInput = z.object({
  project: z.string().min(1).max(255).describe('Project name'),
  branch: z.string().min(1).max(255).optional().describe('Only runs of this branch; all branches when absent'),
  window: z.number().int().min(1).max(200).default(30).describe('The last N finished runs to look at'),
  tag: z.string().min(1).max(100).optional().describe('Only tests carrying this tag (pytest marker, Playwright tag, CTRF tag, JUnit property)'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many tests'),
});

export function registerGetFlakyTestsTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'get_flaky_tests',
    {
      title: 'Flaky tests',
      description:
        'Tests that are flaky in the last N runs, ranked by flip rate, each with its evidence (run ids): passed after retries (retry), '
        + 'passed and failed on the same commit (same_commit), or went back and forth between pass and fail (flip). Tests that fail every time are broken, not listed.',
      inputSchema: GetFlakyTestsInput,
      outputSchema: FlakyTestsSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_flaky_tests', async () => {
        await requireProject(ctx, args.project);
        return structured(await ctx.api.flaky(args));
      }),
  );
}
