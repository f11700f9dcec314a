import type Router from '@koa/router';
import { listFlakyTests } from '@pytest-platform/db';
import { getFlakyTestsRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { serveRoute } from '../serve-route.js';

export function registerFlakyRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, getFlakyTestsRoute, ({ query }) => listFlakyTests(deps.store.db, query));
}
