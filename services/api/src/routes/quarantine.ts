import type Router from '@koa/router';
import { listQuarantine, listQuarantineHistory, publishedQuarantine, quarantineTest, releaseTest } from '@pytest-platform/db';
import { deleteQuarantineRoute, getQuarantineRoute, putQuarantineRoute, redisKeyFor } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { serveRoute } from '../serve-route.js';

/**
 * `/quarantine`: read a project's list (and history), quarantine and release tests. A change is
 * stored with its history row, then the project's list is written to Redis at once for the
 * reporters; ingest announces the change on `<stream>:events` and writes the list again on its next
 * pass, so a change made while Redis is down is published all the same.
 */
export function registerQuarantineRoutes(router: Router, { config, deps }: RouteContext): void {
  const { db } = deps.store;

  const publish = async (project: string, now: number): Promise<boolean> => {
    try {
      await deps.redis.set(redisKeyFor('quarantine', config.resultsStream, project), JSON.stringify(await publishedQuarantine(db, project, now)));
      return true;
    } catch (error) {
      deps.logger.warn({ err: error, project }, 'could not publish the quarantine list; ingest publishes it on its next pass');
      return false;
    }
  };

  serveRoute(router, getQuarantineRoute, async ({ query }) => {
    const items = await listQuarantine(db, query.project, Date.now(), query.nodeid);
    if (!query.history) return { project: query.project, items };
    return { project: query.project, items, history: await listQuarantineHistory(db, query) };
  });

  serveRoute(router, putQuarantineRoute, async ({ body }) => {
    const now = Date.now();
    const expires = body.expires_at === undefined || body.expires_at === null ? null : Date.parse(body.expires_at);
    const changed = await quarantineTest(db, { ...body, by: 'api', expires_at: expires, now }, { replace: true });
    if (!changed) throw new Error('the quarantine upsert wrote nothing');
    return { project: body.project, ...changed, published: await publish(body.project, now) };
  });

  serveRoute(router, deleteQuarantineRoute, async ({ query }) => {
    const now = Date.now();
    const changed = await releaseTest(db, { project: query.project, nodeid: query.nodeid, by: 'api', reason: query.reason ?? 'released through the API', now });
    if (!changed) {
      throw new HttpError(404, 'not_found', `${JSON.stringify(query.nodeid)} is not quarantined in project ${JSON.stringify(query.project)}`);
    }
    return { project: query.project, ...changed, published: await publish(query.project, now) };
  });
}
