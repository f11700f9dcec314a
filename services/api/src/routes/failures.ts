import type Router from '@koa/router';
import { getFailureStats, listFailureGroups } from '@pytest-platform/db';
import type { FailureGroups, FailureStats } from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { dateParam, limitParam, parseQuery, projectParam, tagParam, textParam } from '../query.js';

const DAY_MS = 86_400_000;

/** Start of the window of `days` whole UTC days, today included (what the per-day rollups count in). */
export const windowStart = (days: number, now = Date.now()) => Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;

export const FailureStatsQuery = z.object({
  project: textParam,
  branch: textParam,
  tag: tagParam,
  days: limitParam(7, 365),
  since: dateParam,
  limit: limitParam(20, 500),
});

export const FailureGroupsQuery = z.object({
  project: projectParam,
  branch: textParam,
  days: limitParam(7, 365),
  limit: limitParam(20, 200),
});

export function registerFailuresRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/failures/stats', async (ctx) => {
    if (ctx.query.days !== undefined && ctx.query.since !== undefined) throw new HttpError(400, 'invalid_query', 'days, since: give one of them, not both');
    const { days, since, ...query } = parseQuery(ctx, FailureStatsQuery);
    const items = await getFailureStats(deps.store.db, { ...query, since: since ?? windowStart(days) });
    ctx.body = { items } satisfies FailureStats;
  });

  router.get('/failures/groups', async (ctx) => {
    const { days, ...query } = parseQuery(ctx, FailureGroupsQuery);
    const items = await listFailureGroups(deps.store.db, { ...query, since: windowStart(days) });
    ctx.body = { project: query.project, branch: query.branch ?? null, days, items } satisfies FailureGroups;
  });
}
