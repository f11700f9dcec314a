import type Router from '@koa/router';
import { listFlakyTests } from '@pytest-platform/db';
import type { FlakyTests } from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { limitParam, parseQuery, projectParam, tagParam, textParam } from '../query.js';

export const FlakyQuery = z.object({
  project: projectParam,
  branch: textParam,
  tag: tagParam,
  window: limitParam(30, 200),
  limit: limitParam(50, 500),
});

export function registerFlakyRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/flaky', async (ctx) => {
    ctx.body = (await listFlakyTests(deps.store.db, parseQuery(ctx, FlakyQuery))) satisfies FlakyTests;
  });
}
