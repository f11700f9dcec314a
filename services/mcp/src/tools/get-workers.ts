import { listWorkersRoute, WorkerSchema } from '@pytest-platform/schema';
import { z } from 'zod';
import { ApiRequestError } from '../api-client.js';
import type { ToolContext } from '../context.js';
import { runTool, structured, ToolFailure } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const GetWorkersOutput = z.object({
  counts: z.object({ running: z.number().int(), online: z.number().int(), offline: z.number().int() }).describe('Statuses of the workers in this answer'),
  workers: z.array(WorkerSchema),
  next_cursor: z.string().nullable().describe('Pass as cursor for the next workers (by id); null when none are left'),
  ...pageUrlField,
});

export function registerGetWorkersTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_workers',
    {
      title: 'Worker health',
      description:
        "Workers by id, a page at a time (limit, then cursor = next_cursor): each one's status (running / online / offline), when it was last seen, "
        + 'its last run and project, and its runs and pass rate over the last 24 hours, with the counts by status.',
      inputSchema: listWorkersRoute.query,
      outputSchema: GetWorkersOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_workers', async () => {
        const page = await ctx.api.call(listWorkersRoute, { query: args }).catch((error: unknown) => {
          if (error instanceof ApiRequestError && error.status === 400) throw new ToolFailure('The cursor is not a next_cursor of get_workers; call it without cursor to start from the first worker.');
          throw error;
        });
        const counts = { running: 0, online: 0, offline: 0 };
        for (const worker of page.items) counts[worker.status] += 1;
        return structured({ counts, workers: page.items, next_cursor: page.next_cursor, ...pageUrl(ctx, (links) => links.workers()) });
      }),
  );
}
