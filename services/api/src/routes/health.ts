import type Router from '@koa/router';
import { getHealthRoute, getLivenessRoute, streamNames, type Health } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { databaseStatus } from '../health/database-status.js';
import { ingestStatus, unknownIngest } from '../health/ingest-status.js';
import { redisStatus } from '../health/redis-status.js';
import { serveRoute } from '../serve-route.js';

export function registerHealthRoutes(router: Router, { config, deps }: RouteContext): void {
  const streams = streamNames(config.resultsStream);

  // Liveness: answers from the process alone, so an outage of Redis or the database never restarts it.
  serveRoute(router, getLivenessRoute, () => ({ status: 'ok' as const }));

  // Readiness: 503 while Redis or the database does not answer.
  serveRoute(router, getHealthRoute, async (_input, ctx): Promise<Health> => {
    const [redis, db] = await Promise.all([redisStatus(deps.redis), databaseStatus(deps.store)]);
    const ingest = redis.ok ? await ingestStatus(deps.redis, streams) : unknownIngest;
    if (!redis.ok || !db.ok) ctx.status = 503;
    return { status: redis.ok && db.ok ? 'ok' : 'degraded', redis, db, ingest };
  });
}
