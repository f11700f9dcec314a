import type Router from '@koa/router';
import { compareRuns, findRun } from '@pytest-platform/db';
import { compareRunsRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { serveRoute } from '../serve-route.js';

export function registerCompareRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, compareRunsRoute, async ({ query }) => {
    const [base, head] = await Promise.all([findRun(deps.store.db, query.base), findRun(deps.store.db, query.head)]);
    if (!base) throw new HttpError(404, 'not_found', `base: no run with run_id ${JSON.stringify(query.base)}`);
    if (!head) throw new HttpError(404, 'not_found', `head: no run with run_id ${JSON.stringify(query.head)}`);
    if (base.project !== head.project) {
      throw new HttpError(400, 'invalid_query', `base is a run of project ${JSON.stringify(base.project)}, head of ${JSON.stringify(head.project)}; compare runs of one project`);
    }
    return compareRuns(deps.store.db, base, head, { limit: query.limit });
  });
}
