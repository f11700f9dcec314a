import type Router from '@koa/router';
import { getTrend } from '@pytest-platform/db';
import { getTrendRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { serveRoute } from '../serve-route.js';

export function registerTrendRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, getTrendRoute, ({ query }) => getTrend(deps.store.db, query));
}
