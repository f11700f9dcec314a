import type Router from '@koa/router';
import { listWorkers } from '@pytest-platform/db';
import { listWorkersRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { serveRoute } from '../serve-route.js';
import { withCursor } from '../with-cursor.js';

export function registerWorkersRoutes(router: Router, { config, deps }: RouteContext): void {
  serveRoute(router, listWorkersRoute, ({ query }) =>
    withCursor(() => listWorkers(deps.store.db, { ...query, now: Date.now(), onlineWindowMs: config.workerOnlineMinutes * 60_000 })));
}
