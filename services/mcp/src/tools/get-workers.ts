import { listWorkersRoute, WorkerSchema } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { runTool, structured } from '../tool-result.js';
import type { ToolRegistrar } from './tool-registry.js';

const GetWorkersOutput = z.object({
  counts: z.object({ running: z.number().int(), online: z.number().int(), offline: z.number().int() }),
  workers: z.array(WorkerSchema),
});

export function registerGetWorkersTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_workers',
    {
      title: 'Worker health',
      description: "Every worker's status (running / online / offline), when it was last seen, its last run and project, and its runs and pass rate over the last 24 hours.",
      inputSchema: listWorkersRoute.query,
      outputSchema: GetWorkersOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () =>
      runTool(ctx, 'get_workers', async () => {
        const { items } = await ctx.api.workers();
        const counts = { running: 0, online: 0, offline: 0 };
        for (const worker of items) counts[worker.status] += 1;
        return structured({ counts, workers: items });
      }),
  );
}
