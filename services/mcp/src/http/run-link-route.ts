import type { RunDetail } from '@pytest-platform/schema';
import { decodePathSegment, sendText } from './respond.js';
import type { Route } from './route.js';

/**
 * `GET /runs/{run_id}`, the link reporters print after a run: until a run page exists, a redirect
 * to its project's report (on its branch). Answers say nothing about the API behind this service.
 */
export const runLinkRoute: Route = {
  methods: ['GET', 'HEAD'],
  path: /^\/runs\/([^/]+)$/,
  async handle(req, res, { api, logger, params }) {
    const runId = decodePathSegment(params[0]!);
    if (runId === null) return sendText(req, res, 400, 'The run id in this link is not valid.');
    let run: RunDetail | null;
    try {
      run = await api.run(runId);
    } catch (error) {
      logger.warn({ err: (error as Error).message, run_id: runId }, 'run link failed');
      return sendText(req, res, 502, 'The results are not available right now; try again later.');
    }
    if (!run) return sendText(req, res, 404, `No run ${JSON.stringify(runId.slice(0, 128))} is stored. A run appears here once it has been sent and stored.`);
    const branch = run.branch === null ? '' : `?branch=${encodeURIComponent(run.branch)}`;
    const location = `/reports/${encodeURIComponent(run.project)}.html${branch}`;
    sendText(req, res, 302, `The results of run ${run.run_id} are in the report at ${location}`, { location });
  },
};
