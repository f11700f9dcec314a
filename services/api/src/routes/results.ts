import type Router from '@koa/router';
import { findRun, findRunOwner, listClassifiedRunFailures, listRuns, RunIdTakenError } from '@pytest-platform/db';
import { getResultRoute, listResultFailuresRoute, listResultsRoute, postResultRoute, streamNames } from '@pytest-platform/schema';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { serveRoute } from '../serve-route.js';
import { withCursor } from '../with-cursor.js';

export function registerResultsRoutes(router: Router, { config, deps }: RouteContext): void {
  const stream = streamNames(config.resultsStream).results;

  serveRoute(router, postResultRoute, async ({ body: run }) => {
    // Ingest refuses it too (an entry may reach the stream another way, or race this look-up).
    const owner = await findRunOwner(deps.store.db, run.run_id);
    // Postgres text holds no NUL: its writer stores U+FFFD instead.
    if (owner !== null && owner !== run.project && owner !== run.project.replaceAll('\u0000', '\uFFFD')) {
      throw new HttpError(409, 'run_id_taken', new RunIdTakenError(run.run_id, run.project, owner).message);
    }
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

  serveRoute(router, listResultsRoute, ({ query }) => withCursor(() => listRuns(deps.store.db, query)));

  const storedRun = async (runId: string) => {
    const found = await findRun(deps.store.db, runId);
    if (!found) throw new HttpError(404, 'not_found', `no run with run_id ${JSON.stringify(runId)}`);
    return found;
  };

  serveRoute(router, getResultRoute, async ({ params, query }) => {
    const { pk, ...run } = await storedRun(params.run_id);
    const page = await listClassifiedRunFailures(deps.store.db, pk, { limit: query.failures_limit });
    return { ...run, failures: page.items, failures_total: page.total, failures_next_cursor: page.next_cursor };
  });

  serveRoute(router, listResultFailuresRoute, async ({ params, query }) => {
    const { pk, run_id } = await storedRun(params.run_id);
    const page = await withCursor(() => listClassifiedRunFailures(deps.store.db, pk, query));
    return { run_id, ...page };
  });
}
