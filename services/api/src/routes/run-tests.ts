import type Router from '@koa/router';
import { findRun, listRunTests } from '@pytest-platform/db';
import { listResultTestsRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { serveRoute } from '../serve-route.js';

/** `GET /results/{run_id}/tests`: a run's test results, e.g. whether some tests passed in it. */
export function registerRunTestsRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, listResultTestsRoute, async ({ params, query }) => {
    const found = await findRun(deps.store.db, params.run_id);
    if (!found) throw new HttpError(404, 'not_found', `no run with run_id ${JSON.stringify(params.run_id)}`);
    const items = await listRunTests(deps.store.db, found.pk, { outcome: query.outcome, nodeids: query.nodeid, tag: query.tag, limit: query.limit });
    return { run_id: found.run_id, items };
  });
}
