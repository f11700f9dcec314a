import { listResultFailuresRoute, truncate } from '@pytest-platform/schema';
import { z } from 'zod';
import { ApiRequestError } from '../api-client.js';
import type { ToolContext } from '../context.js';
import { requireProject, runTool, structured, ToolFailure } from '../tool-result.js';
import { RunSummary } from './run-summary.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

/** Bounds that keep one answer readable: a page of failures, tracebacks cut; the rest is a `next_cursor` away. */
const MAX_FAILURES = 100;
const DEFAULT_FAILURES = 50;
const MAX_TRACEBACK = 8_192;

const GetFailuresInput = z
  .object({
    project: z.string().min(1).max(255).optional().describe('Project whose latest run to read when run_id is absent'),
    run_id: z.string().min(1).max(128).optional().describe('A run id; the latest run (of the project, if given) when absent'),
    limit: z.number().int().min(1).max(MAX_FAILURES).default(DEFAULT_FAILURES).describe(`Failures in this answer (at most ${MAX_FAILURES})`),
    cursor: listResultFailuresRoute.query.shape.cursor.describe('`next_cursor` of the previous answer for the same run_id: the next page'),
  })
  .refine((args) => args.cursor === undefined || args.run_id !== undefined, {
    message: 'cursor needs the run_id of the answer it came from', path: ['cursor'],
  });

const GetFailuresOutput = RunSummary.pick({
  run_id: true, project: true, branch: true, commit: true, worker_id: true, status: true, started_at: true, failed: true, errors: true,
}).extend({
  total: z.number().int().describe('Failed and error tests stored for the run'),
  next_cursor: z.string().nullable().describe('Pass as cursor (with this run_id) for the next page; null when none are left'),
  failures: z.array(
    z.object({
      nodeid: z.string(),
      outcome: z.enum(['failed', 'error']),
      message: z.string().nullable(),
      longrepr: z.string().nullable().describe(`Traceback, cut at ${MAX_TRACEBACK} characters`),
      file: z.string().nullable(),
      line: z.number().int().nullable(),
      duration: z.number(),
      attempts: z.number().int(),
    }),
  ),
  ...pageUrlField,
});

type Args = z.output<typeof GetFailuresInput>;

/** The run the arguments name, or the latest one (of the project). */
async function runIdOf(ctx: ToolContext, args: Args): Promise<string> {
  if (args.run_id !== undefined) return args.run_id;
  const page = await ctx.api.results({ project: args.project, limit: 1 });
  const runId = page.items[0]?.run_id;
  if (runId === undefined) throw new ToolFailure(`No runs stored${args.project ? ` for project ${JSON.stringify(args.project)}` : ''} yet.`);
  return runId;
}

async function unknownRun(ctx: ToolContext, project: string | undefined, runId: string): Promise<ToolFailure> {
  const recent = await ctx.api.results({ project, limit: 5 });
  const ids = recent.items.map((r) => `${r.run_id} (${r.project}, ${r.started_at})`);
  return new ToolFailure(
    `Unknown run ${JSON.stringify(runId)}. ${ids.length ? `Most recent runs: ${ids.join('; ')}.` : 'No runs are stored yet.'} Call get_summary to list more.`,
  );
}

/** The page after `cursor`; a cursor the API refuses is a failure that says how to start over. */
async function pageAfter(ctx: ToolContext, runId: string, limit: number, cursor: string) {
  try {
    return await ctx.api.runFailures(runId, { limit, cursor });
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 400) {
      throw new ToolFailure(`The cursor is not a next_cursor of run ${JSON.stringify(runId)}; call get_failures without cursor to start from its first failure.`);
    }
    throw error;
  }
}

export function registerGetFailuresTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_failures',
    {
      title: 'Failures of a run',
      description:
        'The failed and error tests of one run with their messages and tracebacks, a page at a time (limit, then cursor = next_cursor with the same run_id), '
        + 'and how many the run has in all; the latest run (of the project, if given) when run_id is absent.',
      inputSchema: GetFailuresInput,
      outputSchema: GetFailuresOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_failures', async () => {
        if (args.project !== undefined) await requireProject(ctx, args.project);
        const runId = await runIdOf(ctx, args);
        const run = await ctx.api.run(runId, { failuresLimit: args.cursor === undefined ? args.limit : 0 });
        if (!run) throw await unknownRun(ctx, args.project, runId);
        if (args.project !== undefined && run.project !== args.project) {
          throw new ToolFailure(`Run ${JSON.stringify(runId)} belongs to project ${JSON.stringify(run.project)}, not ${JSON.stringify(args.project)}.`);
        }
        const page = args.cursor === undefined
          ? { items: run.failures, next_cursor: run.failures_next_cursor, total: run.failures_total }
          : await pageAfter(ctx, runId, args.limit, args.cursor);
        if (!page) throw await unknownRun(ctx, args.project, runId);
        return structured({
          run_id: run.run_id,
          project: run.project,
          branch: run.branch,
          commit: run.commit,
          worker_id: run.worker_id,
          status: run.status,
          started_at: run.started_at,
          failed: run.summary.failed,
          errors: run.summary.errors,
          total: page.total,
          next_cursor: page.next_cursor,
          failures: page.items.map((f) => ({
            nodeid: f.nodeid,
            outcome: f.outcome,
            message: f.message,
            longrepr: f.longrepr === null ? null : truncate(f.longrepr, MAX_TRACEBACK),
            file: f.file,
            line: f.line,
            duration: f.duration,
            attempts: f.attempts,
          })),
          ...pageUrl(ctx, (links) => links.run(run.run_id)),
        });
      }),
  );
}
