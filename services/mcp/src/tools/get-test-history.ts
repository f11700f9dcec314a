import { getTestHistoryRoute } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const { project, nodeid, branch } = getTestHistoryRoute.query.shape;

/** The query of `GET /tests/history`, with this tool's own limit. */
const GetTestHistoryInput = getTestHistoryRoute.query.extend({
  project: project.describe('Project name'),
  nodeid: nodeid.describe('The test node id, e.g. tests/test_api.py::test_create'),
  branch: branch.describe('Only runs of this branch; all branches when absent'),
  limit: z.number().int().min(1).max(200).default(20).describe('How many results'),
});

export function registerGetTestHistoryTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_test_history',
    {
      title: 'History of one test',
      description: "One test's last results, newest first: run, worker, commit, outcome, duration, attempts and message. Use it to see when a test started failing and where.",
      inputSchema: GetTestHistoryInput,
      outputSchema: getTestHistoryRoute.response.schema.extend(pageUrlField),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_test_history', async () => {
        await requireProject(ctx, args.project);
        const history = await ctx.api.call(getTestHistoryRoute, { query: args });
        return structured({ ...history, ...pageUrl(ctx, (links) => links.test(history.project, history.nodeid, history.branch)) });
      }),
  );
}
