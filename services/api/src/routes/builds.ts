import type Router from '@koa/router';
import { findBuild, InvalidCursorError, listBuilds } from '@pytest-platform/db';
import { getBuildRoute, listBuildsRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { serveRoute } from '../serve-route.js';

/** `GET /builds`, `GET /builds/{build_id}`: the runs of one CI build taken together. */
export function registerBuildsRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, listBuildsRoute, async ({ query }) => {
    try {
      return await listBuilds(deps.store.db, query);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new HttpError(400, 'invalid_query', `cursor: ${error.message}`);
      throw error;
    }
  });

  serveRoute(router, getBuildRoute, async ({ params, query }) => {
    const build = await findBuild(deps.store.db, query.project, params.build_id);
    if (!build) throw new HttpError(404, 'not_found', `no build ${JSON.stringify(params.build_id)} in project ${JSON.stringify(query.project)}`);
    return build;
  });
}
