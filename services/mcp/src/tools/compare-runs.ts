import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { RunComparisonSchema } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { runTool, structured } from '../tool-result.js';

export const CompareRunsInput = z.object({
  base: z.string().min(1).max(128).describe('The run id compared from (e.g. the last green run)'),
  head: z.string().min(1).max(128).describe('The run id compared to (e.g. the latest run)'),
  limit: z.number().int().min(1).max(500).default(50).describe('Tests listed per category; counts are always complete'),
});

export function registerCompareRunsTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'compare_runs',
    {
      title: 'Compare two runs',
      description:
        'What changed between two runs of one project: newly failing, fixed, still failing, added and removed tests (a renamed test is one of each), '
        + 'and duration regressions (slower by more than 50 % and 100 ms), each with a count.',
      inputSchema: CompareRunsInput,
      outputSchema: RunComparisonSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => runTool(ctx, 'compare_runs', async () => structured(await ctx.api.compare(args))),
  );
}
