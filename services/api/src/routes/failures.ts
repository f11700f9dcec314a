import type Router from '@koa/router';
import { getFailureStats, listFailureGroups } from '@pytest-platform/db';
import { getFailureGroupsRoute, getFailureStatsRoute } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { serveRoute } from '../serve-route.js';

const DAY_MS = 86_400_000;

/** Start of a window of `days` whole UTC days, today included (what the per-day rollups count in). */
const windowStart = (days: number, now = Date.now()) => Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;

export function registerFailuresRoutes(router: Router, { deps }: RouteContext): void {
  serveRoute(router, getFailureStatsRoute, async ({ query: { days, since, ...query } }, ctx) => {
    // `days` has a default, so whether it was given is a question for the query string itself.
    if (ctx.query.days !== undefined && since !== undefined) throw new HttpError(400, 'invalid_query', 'days, since: give one of them, not both');
    return { items: await getFailureStats(deps.store.db, { ...query, since: since ?? windowStart(days) }) };
  });

  serveRoute(router, getFailureGroupsRoute, async ({ query: { days, ...query } }) => {
    const items = await listFailureGroups(deps.store.db, { ...query, since: windowStart(days) });
    return { project: query.project, branch: query.branch ?? null, days, items };
  });
}
