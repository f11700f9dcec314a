import type Router from '@koa/router';
import { listProjects } from '@pytest-platform/db';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { parseQuery } from '../query.js';

export const ProjectsQuery = z.object({});
export const ProjectsSchema = z.object({ items: z.array(z.object({ project: z.string() })) });

export function registerProjectsRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/projects', async (ctx) => {
    parseQuery(ctx, ProjectsQuery);
    const projects = await listProjects(deps.store.db);
    ctx.body = { items: projects.map((project) => ({ project })) } satisfies z.infer<typeof ProjectsSchema>;
  });
}
