import type Router from '@koa/router';
import { listWorkers } from '@pytest-platform/db';
import { listWorkersRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { serveRoute } from '../serve-route.js';

export function registerWorkersRoutes(router: Router, { config, deps }: RouteContext): void {
  serveRoute(router, listWorkersRoute, async () => ({
    items: await listWorkers(deps.store.db, { now: Date.now(), onlineWindowMs: config.workerOnlineMinutes * 60_000 }),
  }));
}
