import type Router from '@koa/router';
import { findRun, InvalidCursorError, listClassifiedRunFailures, listRuns } from '@pytest-platform/db';
import { getResultRoute, listResultsRoute, postResultRoute, streamNames } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { serveRoute } from '../serve-route.js';

export function registerResultsRoutes(router: Router, { config, deps }: RouteContext): void {
  const stream = streamNames(config.resultsStream).results;

  serveRoute(router, postResultRoute, async ({ body: run }) => {
    let streamId: string | null;
    try {
      streamId = await deps.redis.xadd(stream, '*', 'type', 'run', 'data', JSON.stringify(run));
    } catch (error) {
      deps.logger.warn({ err: error }, 'XADD failed');
      throw new HttpError(503, 'unavailable', 'the results stream is unavailable; retry later');
    }
    if (streamId === null) throw new HttpError(503, 'unavailable', 'the results stream did not accept the run');
    return { run_id: run.run_id, stream_id: streamId };
  });

  serveRoute(router, listResultsRoute, async ({ query }) => {
    try {
      return await listRuns(deps.store.db, query);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new HttpError(400, 'invalid_query', `cursor: ${error.message}`);
      throw error;
    }
  });

  serveRoute(router, getResultRoute, async ({ params }) => {
    const found = await findRun(deps.store.db, params.run_id);
    if (!found) throw new HttpError(404, 'not_found', `no run with run_id ${JSON.stringify(params.run_id)}`);
    const { pk, ...run } = found;
    return { ...run, failures: await listClassifiedRunFailures(deps.store.db, pk) };
  });
}
