import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { TestHistorySchema } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';

export const GetTestHistoryInput = z.object({
  project: z.string().min(1).max(255).describe('Project name'),
  nodeid: z.string().min(1).max(4096).describe('The test node id, e.g. tests/test_api.py::test_create'),
  branch: z.string().min(1).max(255).optional().describe('Only runs of this branch; all branches when absent'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many results'),
});

export function registerGetTestHistoryTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'get_test_history',
    {
      title: 'History of one test',
      description: "One test's last results, newest first: run, worker, commit, outcome, duration, attempts and message. Use it to see when a test started failing and where.",
      inputSchema: GetTestHistoryInput,
      outputSchema: TestHistorySchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_test_history', async () => {
        await requireProject(ctx, args.project);
        return structured(await ctx.api.testHistory(args));
      }),
  );
}
