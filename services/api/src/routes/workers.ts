import type Router from '@koa/router';
import { listWorkers } from '@pytest-platform/db';
import type { Workers } from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { parseQuery } from '../query.js';

export const WorkersQuery = z.object({});

export function registerWorkersRoutes(router: Router, { config, deps }: RouteContext): void {
  router.get('/workers', async (ctx) => {
    parseQuery(ctx, WorkersQuery);
    const items = await listWorkers(deps.store.db, { now: Date.now(), onlineWindowMs: config.workerOnlineMinutes * 60_000 });
    ctx.body = { items } satisfies Workers;
  });
}
