import type Router from '@koa/router';
import { getTrend } from '@pytest-platform/db';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { limitParam, parseQuery, textParam } from '../query.js';

export const TrendQuery = z.object({
  project: z.string({ error: 'required' }).min(1, { message: 'must not be empty' }).max(255),
  branch: textParam,
  limit: limitParam(30, 1000),
});

export function registerTrendRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/trend', async (ctx) => {
    ctx.body = await getTrend(deps.store.db, parseQuery(ctx, TrendQuery));
  });
}
