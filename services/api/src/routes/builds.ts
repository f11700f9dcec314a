import type Router from '@koa/router';
import { findBuild, InvalidCursorError, listBuilds } from '@pytest-platform/db';
import type { BuildDetail, BuildPage } from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { limitParam, parseQuery, projectParam, textParam } from '../query.js';

export const ListBuildsQuery = z.object({
  project: textParam,
  branch: textParam,
  limit: limitParam(20, 200),
  cursor: z.string().min(1).max(200).optional(),
});

/** Build ids are per project (two repositories may both have a pipeline 123), so one build needs its project. */
export const BuildQuery = z.object({ project: projectParam });

/** `GET /builds`, `GET /builds/{build_id}`: the runs of one CI build taken together. */
export function registerBuildsRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/builds', async (ctx) => {
    const query = parseQuery(ctx, ListBuildsQuery);
    try {
      ctx.body = (await listBuilds(deps.store.db, query)) satisfies BuildPage;
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new HttpError(400, 'invalid_query', `cursor: ${error.message}`);
      throw error;
    }
  });

  router.get('/builds/:build_id', async (ctx) => {
    const { project } = parseQuery(ctx, BuildQuery);
    const buildId = ctx.params.build_id ?? '';
    const build = await findBuild(deps.store.db, project, buildId);
    if (!build) throw new HttpError(404, 'not_found', `no build ${JSON.stringify(buildId)} in project ${JSON.stringify(project)}`);
    ctx.body = build satisfies BuildDetail;
  });
}
