import type Router from '@koa/router';
import { compareRuns, findRun } from '@pytest-platform/db';
import type { RunComparison } from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { limitParam, parseQuery } from '../query.js';

const runId = z.string({ error: 'required' }).min(1, { message: 'must not be empty' }).max(128);

export const CompareQuery = z.object({ base: runId, head: runId, limit: limitParam(100, 1000) });

export function registerCompareRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/compare', async (ctx) => {
    const query = parseQuery(ctx, CompareQuery);
    const [base, head] = await Promise.all([findRun(deps.store.db, query.base), findRun(deps.store.db, query.head)]);
    if (!base) throw new HttpError(404, 'not_found', `base: no run with run_id ${JSON.stringify(query.base)}`);
    if (!head) throw new HttpError(404, 'not_found', `head: no run with run_id ${JSON.stringify(query.head)}`);
    if (base.project !== head.project) {
      throw new HttpError(400, 'invalid_query', `base is a run of project ${JSON.stringify(base.project)}, head of ${JSON.stringify(head.project)}; compare runs of one project`);
    }
    ctx.body = (await compareRuns(deps.store.db, base, head, { limit: query.limit })) satisfies RunComparison;
  });
}
