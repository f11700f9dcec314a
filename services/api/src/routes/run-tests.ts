import type Router from '@koa/router';
import { findRun, listRunTests } from '@pytest-platform/db';
import { describeIssues, OutcomeSchema, type RunTestItems } from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { limitParam, tagParam } from '../query.js';

/** Node ids one request may name; clients with more ask in chunks. */
export const MAX_NODEIDS = 200;

export const RunTestsQuery = z
  .object({
    outcome: OutcomeSchema.optional(),
    nodeid: z
      .union([z.string(), z.array(z.string())])
      .transform((value) => (Array.isArray(value) ? value : [value]))
      .pipe(z.array(z.string().min(1, { message: 'must not be empty' }).max(2_000)).max(MAX_NODEIDS, { message: `at most ${MAX_NODEIDS} node ids` }))
      .optional(),
    tag: tagParam,
    limit: limitParam(1_000, 10_000),
  })
  .strict();

/** `GET /results/{run_id}/tests`: a run's test results, e.g. whether some tests passed in it. */
export function registerRunTestsRoutes(router: Router, { deps }: RouteContext): void {
  router.get('/results/:run_id/tests', async (ctx) => {
    const query: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(ctx.query)) {
      if (Array.isArray(value) && key !== 'nodeid') throw new HttpError(400, 'invalid_query', `${key}: given more than once`);
      query[key] = value;
    }
    const parsed = RunTestsQuery.safeParse(query);
    if (!parsed.success) throw new HttpError(400, 'invalid_query', describeIssues(parsed.error));
    const runId = ctx.params.run_id ?? '';
    const found = await findRun(deps.store.db, runId);
    if (!found) throw new HttpError(404, 'not_found', `no run with run_id ${JSON.stringify(runId)}`);
    const items = await listRunTests(deps.store.db, found.pk, {
      outcome: parsed.data.outcome, nodeids: parsed.data.nodeid, tag: parsed.data.tag, limit: parsed.data.limit,
    });
    ctx.body = { run_id: found.run_id, items } satisfies RunTestItems;
  });
}
