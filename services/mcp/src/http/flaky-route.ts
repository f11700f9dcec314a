import { getFlakyTestsRoute, limits } from '@pytest-platform/schema';
import { renderFlakyChooser, renderFlakyPage } from '../render/flaky-page.js';
import { relativeLinks } from '../render/links.js';
import { requireProject } from '../tool-result.js';
import { pageQuery, queryValue, servePage } from './page-response.js';
import type { Route } from './route.js';

/** Flaky tests listed on the page. */
const FLAKY_LIMIT = 200;
/** Runs of the project the flaky tests are looked for in. */
const FLAKY_WINDOW = 30;

/** `GET /flaky?project=[&branch=]`: the project's flaky tests; without a project, the projects to choose from. */
export const flakyRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/flaky$/,
  handle(req, res, context) {
    return servePage(req, res, context, async () => {
      const query = pageQuery(context.url);
      const project = queryValue(query, 'project', limits.nameLength);
      const branch = queryValue(query, 'branch', limits.nameLength);
      const generatedAt = new Date().toISOString();
      if (project === undefined) return renderFlakyChooser(await context.api.projects(), relativeLinks, generatedAt);
      await requireProject(context, project);
      const flaky = await context.api.call(getFlakyTestsRoute, { query: { project, branch, window: FLAKY_WINDOW, limit: FLAKY_LIMIT } });
      return renderFlakyPage(flaky, relativeLinks, generatedAt);
    });
  },
};
