import type Router from '@koa/router';
import { getTestHistory, listSlowestTests } from '@pytest-platform/db';
import type { SlowTests, TestHistory } from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { limitParam, parseQuery, textParam } from '../query.js';

const required = z.string({ error: 'required' }).min(1, { message: 'must not be empty' });

export const TestHistoryQuery = z.object({
  project: required.max(255),
  nodeid: required.max(4096),
  branch: textParam,
  limit: limitParam(30, 200),
});

export const SlowestTestsQuery = z.object({
  project: required.max(255),
  branch: textParam,
  runs: limitParam(10, 50),
  limit: limitParam(20, 200),
});

export function registerTestsRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/tests/history', async (ctx) => {
    const query = parseQuery(ctx, TestHistoryQuery);
    const history = await getTestHistory(deps.store.db, query);
    if (!history) throw new HttpError(404, 'not_found', `no test ${JSON.stringify(query.nodeid)} in project ${JSON.stringify(query.project)}`);
    ctx.body = history satisfies TestHistory;
  });

  router.get('/tests/slowest', async (ctx) => {
    ctx.body = (await listSlowestTests(deps.store.db, parseQuery(ctx, SlowestTestsQuery))) satisfies SlowTests;
  });
}
