import type Router from '@koa/router';
import { listProjects } from '@pytest-platform/db';
import { listProjectsRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { serveRoute } from '../serve-route.js';

export function registerProjectsRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, listProjectsRoute, async () => ({ items: (await listProjects(deps.store.db)).map((project) => ({ project })) }));
}
