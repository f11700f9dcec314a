import type Router from '@koa/router';
import { findRun, InvalidCursorError, listClassifiedRunFailures, listRuns } from '@pytest-platform/db';
import {
  describeIssues, limits, RunResultSchema, StoredRunStatusSchema, streamNames, type Accepted, type RunDetail,
} from '@pytest-platform/schema';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { readJsonBody } from '../json-body.js';
import { dateParam, limitParam, parseQuery, textParam } from '../query.js';

export const ListResultsQuery = z.object({
  project: textParam,
  branch: textParam,
  worker_id: textParam,
  build_id: textParam,
  status: StoredRunStatusSchema.optional(),
  since: dateParam,
  until: dateParam,
  limit: limitParam(50, 500),
  cursor: z.string().min(1).max(200).optional(),
});

export function registerResultsRoutes(router: Router, { config, deps }: RouteContext): void {
  const stream = streamNames(config.resultsStream).results;

  router.post('/results', async (ctx) => {
    const json = await readJsonBody(ctx, limits.entryBytes);
    const parsed = RunResultSchema.safeParse(json);
    if (!parsed.success) throw new HttpError(400, 'invalid_body', describeIssues(parsed.error));
    let streamId: string | null;
    try {
      streamId = await deps.redis.xadd(stream, '*', 'type', 'run', 'data', JSON.stringify(parsed.data));
    } catch (error) {
      deps.logger.warn({ err: error }, 'XADD failed');
      throw new HttpError(503, 'unavailable', 'the results stream is unavailable; retry later');
    }
    if (streamId === null) throw new HttpError(503, 'unavailable', 'the results stream did not accept the run');
    ctx.status = 202;
    ctx.body = { run_id: parsed.data.run_id, stream_id: streamId } satisfies Accepted;
  });

  router.get('/results', async (ctx) => {
    const query = parseQuery(ctx, ListResultsQuery);
    try {
      ctx.body = await listRuns(deps.store.db, query);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new HttpError(400, 'invalid_query', `cursor: ${error.message}`);
      throw error;
    }
  });

  router.get('/results/:run_id', async (ctx) => {
    parseQuery(ctx, z.object({}));
    const found = await findRun(deps.store.db, ctx.params.run_id ?? '');
    if (!found) throw new HttpError(404, 'not_found', `no run with run_id ${JSON.stringify(ctx.params.run_id)}`);
    const { pk, ...run } = found;
    ctx.body = { ...run, failures: await listClassifiedRunFailures(deps.store.db, pk) } satisfies RunDetail;
  });
}
