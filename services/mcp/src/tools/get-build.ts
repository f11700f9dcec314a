import { BuildSchema, getBuildRoute, listBuildsRoute, type BuildDetail } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured, ToolFailure } from '../tool-result.js';
import { RunSummary, toRunSummary } from './run-summary.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

/** Runs listed in the text; every run is in the structured content. */
const MAX_TEXT_RUNS = 20;

/** The query and path of `GET /builds/{build_id}`. */
const GetBuildInput = getBuildRoute.query.extend({
  project: getBuildRoute.query.shape.project.describe('The project, e.g. acme/shop: build ids are per project'),
  build_id: z.string().min(1).max(255).describe("The CI build id (pipeline or workflow run id with its attempt), as on the build's runs"),
});

const GetBuildOutput = BuildSchema.extend({
  runs: z.array(RunSummary.extend({ shard: z.string().nullable().describe('"k/n" when the run is shard k of n') })).describe('In start order'),
  ...pageUrlField,
});

const percent = (rate: number | null) => (rate === null ? 'no pass rate (nothing executed)' : `pass rate ${(rate * 100).toFixed(1)} %`);
const seconds = (s: number | null) => (s === null ? 'still running' : `${s.toFixed(1)} s`);

/** A few lines a person reads first; the structured content has everything. */
function describeBuild(build: BuildDetail): string {
  const where = [build.branch, build.commit].filter((v) => v !== null).join(' @ ');
  const s = build.summary;
  const lines = [
    `Build ${build.build_id} of ${build.project}${where ? ` (${where})` : ''}: ${build.status}, ${build.run_count} run${build.run_count === 1 ? '' : 's'}` +
      (build.shards.length > 0 ? `, shards ${build.shards.join(', ')}` : '') + '.',
    `${s.total} tests: ${s.passed} passed, ${s.failed} failed, ${s.errors} errors, ${s.skipped} skipped; ${percent(build.pass_rate)}; ${seconds(build.duration)}.`,
  ];
  for (const run of build.runs.slice(0, MAX_TEXT_RUNS)) {
    lines.push(`- ${run.run_id}${run.shard ? ` [${run.shard}]` : ''} on ${run.worker_id}: ${run.status}, ${run.summary.failed} failed, ${run.summary.errors} errors of ${run.summary.total}`);
  }
  if (build.runs.length > MAX_TEXT_RUNS) lines.push(`- and ${build.runs.length - MAX_TEXT_RUNS} more runs`);
  return lines.join('\n');
}

export function registerGetBuildTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_build',
    {
      title: 'One CI build',
      description:
        'One CI build of a project (the runs sharing a build id, e.g. the shards of one pipeline) taken together: summed counts, ' +
        'status (the worst of its runs: error > failed > interrupted > running > passed), duration from first start to last finish, and each run.',
      inputSchema: GetBuildInput,
      outputSchema: GetBuildOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_build', async () => {
        await requireProject(ctx, args.project);
        const build = await ctx.api.build(args.project, args.build_id);
        if (!build) {
          const recent = await ctx.api.call(listBuildsRoute, { query: { project: args.project, limit: 5 } });
          const ids = recent.items.map((b) => `${b.build_id} (${b.branch ?? 'no branch'}, ${b.started_at})`);
          throw new ToolFailure(
            `Unknown build ${JSON.stringify(args.build_id)} in project ${JSON.stringify(args.project)}. ` +
              (ids.length ? `Most recent builds: ${ids.join('; ')}.` : 'No run of this project carries a build id yet.'),
          );
        }
        const { runs, ...aggregate } = build;
        return structured(
          {
            ...aggregate,
            runs: runs.map((run) => ({ ...toRunSummary(run), shard: run.shard })),
            ...pageUrl(ctx, (links) => links.build(build.project, build.build_id)),
          },
          [{ type: 'text', text: describeBuild(build) }],
        );
      }),
  );
}
