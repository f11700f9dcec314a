import { compareRunsRoute } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const { base, head } = compareRunsRoute.query.shape;

/** The query of `GET /compare`, with this tool's own limit. */
const CompareRunsInput = compareRunsRoute.query.extend({
  base: base.describe('The run id compared from (e.g. the last green run)'),
  head: head.describe('The run id compared to (e.g. the latest run)'),
  limit: z.number().int().min(1).max(500).default(50).describe('Tests listed per category; counts are always complete'),
});

export function registerCompareRunsTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'compare_runs',
    {
      title: 'Compare two runs',
      description:
        'What changed between two runs of one project: newly failing, fixed, still failing, added and removed tests (a renamed test is one of each), '
        + 'and duration regressions (slower by more than 50 % and 100 ms), each with a count.',
      inputSchema: CompareRunsInput,
      outputSchema: compareRunsRoute.response.schema.extend(pageUrlField),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'compare_runs', async () => {
        const comparison = await ctx.api.call(compareRunsRoute, { query: args });
        return structured({ ...comparison, ...pageUrl(ctx, (links) => links.compare(comparison.base.run_id, comparison.head.run_id)) });
      }),
  );
}
