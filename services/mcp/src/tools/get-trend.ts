import { getTrendRoute, TrendPointSchema } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { trendDirection, TREND_THRESHOLD } from '../trend-direction.js';
import { requireProject, runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const { project, branch } = getTrendRoute.query.shape;

/** The query of `GET /trend`, with this tool's own limit (a trend needs two runs). */
const GetTrendInput = getTrendRoute.query.extend({
  project: project.describe('Project name'),
  branch: branch.describe('Only runs of this branch; all branches when absent'),
  limit: z.number().int().min(2).max(500).default(10).describe('How many of the most recent runs'),
});

const GetTrendOutput = z.object({
  project: z.string(),
  branch: z.string().nullable(),
  direction: z.enum(['improving', 'declining', 'stable']),
  delta: z.number().nullable().describe('Mean pass rate of the newer half minus the older half; null with fewer than 2 rated runs'),
  threshold: z.number().describe('|delta| below this is stable'),
  points: z
    .array(TrendPointSchema)
    .describe('Oldest first'),
  ...pageUrlField,
});

export function registerGetTrendTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_trend',
    {
      title: 'Pass-rate trend',
      description:
        `Pass rate of the last N runs, oldest → newest, and the direction of change: the mean pass rate of the newer half of the runs against the older half; `
        + `a change of less than ${TREND_THRESHOLD * 100} percentage points is "stable".`,
      inputSchema: GetTrendInput,
      outputSchema: GetTrendOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_trend', async () => {
        await requireProject(ctx, args.project);
        const trend = await ctx.api.call(getTrendRoute, { query: args });
        const { direction, delta } = trendDirection(trend.points.map((p) => p.pass_rate));
        return structured({
          project: trend.project,
          branch: trend.branch,
          direction,
          delta,
          threshold: TREND_THRESHOLD,
          points: trend.points,
          ...pageUrl(ctx, (links) => links.project(trend.project, trend.branch)),
        });
      }),
  );
}
