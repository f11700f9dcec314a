import type Router from '@koa/router';
import { listFlakyTests } from '@pytest-platform/db';
import type { FlakyTests } from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { limitParam, parseQuery, textParam } from '../query.js';

export const FlakyQuery = z.object({
  project: z.string({ error: 'required' }).min(1, { message: 'must not be empty' }).max(255),
  branch: textParam,
  window: limitParam(30, 200),
  limit: limitParam(50, 500),
});

export function registerFlakyRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/flaky', async (ctx) => {
    ctx.body = (await listFlakyTests(deps.store.db, parseQuery(ctx, FlakyQuery))) satisfies FlakyTests;
  });
}
