import type Router from '@koa/router';
import { getTestHistory, listSlowestTests } from '@pytest-platform/db';
import { getSlowestTestsRoute, getTestHistoryRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { serveRoute } from '../serve-route.js';

export function registerTestsRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, getTestHistoryRoute, async ({ query }) => {
    const history = await getTestHistory(deps.store.db, query);
    if (!history) throw new HttpError(404, 'not_found', `no test ${JSON.stringify(query.nodeid)} in project ${JSON.stringify(query.project)}`);
    return history;
  });

  serveRoute(router, getSlowestTestsRoute, ({ query }) => listSlowestTests(deps.store.db, query));
}
