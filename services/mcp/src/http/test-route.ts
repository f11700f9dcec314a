import { getFlakyTestsRoute, getQuarantineRoute, getTestHistoryRoute, limits, type QuarantineList, type TestHistory } from '@pytest-platform/schema';
import { ApiRequestError, type ApiClient } from '../api-client.js';
import { relativeLinks } from '../render/links.js';
import { renderTestPage } from '../render/test-page.js';
import { PageError, pageQuery, queryValue, requiredQueryValue, servePage } from './page-response.js';
import type { Route } from './route.js';

/** Runs in the outcome strip, the chart and the history table. */
const HISTORY_RUNS = 100;
/** Runs of the project the flaky evidence is looked for in. */
const FLAKY_WINDOW = 30;

/** The test's quarantine entry and changes; `null` when the API cannot say (an API without `/quarantine`, or a refusal). */
async function quarantineOf(api: ApiClient, project: string, nodeid: string): Promise<QuarantineList | null> {
  try {
    return await api.call(getQuarantineRoute, { query: { project, nodeid, history: true, limit: 20 } });
  } catch (error) {
    if (error instanceof ApiRequestError) return null;
    throw error;
  }
}

/** The test's last results; a 404 page when the project has no such test. */
async function historyOf(api: ApiClient, project: string, nodeid: string, branch: string | undefined): Promise<TestHistory> {
  try {
    return await api.call(getTestHistoryRoute, { query: { project, nodeid, branch, limit: HISTORY_RUNS } });
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) {
      throw new PageError(404, `No test ${JSON.stringify(nodeid)} is stored in project ${JSON.stringify(project)}.`);
    }
    throw error;
  }
}

/** `GET /tests?project=&nodeid=[&branch=]`: one test's page. */
export const testRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/tests$/,
  handle(req, res, context) {
    return servePage(req, res, context, async () => {
      const { api } = context;
      const query = pageQuery(context.url);
      const project = requiredQueryValue(query, 'project', limits.nameLength);
      const nodeid = requiredQueryValue(query, 'nodeid', limits.nodeidLength);
      const branch = queryValue(query, 'branch', limits.nameLength);
      const [history, flaky, quarantine] = await Promise.all([
        historyOf(api, project, nodeid, branch),
        api.call(getFlakyTestsRoute, { query: { project, branch, nodeid, window: FLAKY_WINDOW, limit: 1 } }),
        quarantineOf(api, project, nodeid),
      ]);
      return renderTestPage({
        generatedAt: new Date().toISOString(),
        project,
        nodeid,
        branch: branch ?? null,
        history,
        flaky: flaky.items[0] ?? null,
        flakyWindow: flaky.window,
        quarantine,
      }, relativeLinks);
    });
  },
};
