import type Router from '@koa/router';
import { listProjects } from '@pytest-platform/db';
import { listProjectsRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { serveRoute } from '../serve-route.js';
import { withCursor } from '../with-cursor.js';

export function registerProjectsRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, listProjectsRoute, async ({ query }) => {
    const page = await withCursor(() => listProjects(deps.store.db, query));
    return { items: page.items.map((project) => ({ project })), next_cursor: page.next_cursor };
  });
}
