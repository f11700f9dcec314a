import { listProjectsRoute } from '@pytest-platform/schema';
import { relativeLinks } from '../render/links.js';
import { renderHomePage, type ProjectOverview } from '../render/home-page.js';
import { pageQuery, queryValue, servePage } from './page-response.js';
import type { Route } from './route.js';

/** Projects on one page of `/`. */
const PROJECTS_PER_PAGE = 50;
/** Runs in each project's trend line (one read per project gives them and the last run). */
const TREND_RUNS = 20;
/** API requests in flight at once while the overview is gathered. */
const PARALLEL = 6;

/** `GET /[?cursor=]`: the projects, each with its last run's status, pass rate and a small trend. */
export const homeRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/$/,
  handle(req, res, context) {
    return servePage(req, res, context, async () => {
      const { api } = context;
      const cursor = queryValue(pageQuery(context.url), 'cursor', 4_000);
      const page = await api.call(listProjectsRoute, { query: { limit: PROJECTS_PER_PAGE, cursor } });
      const projects = page.items.map((item) => item.project);
      const overviews: ProjectOverview[] = new Array(projects.length);
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(PARALLEL, projects.length) }, async () => {
        while (next < projects.length) {
          const index = next++;
          const project = projects[index]!;
          const runs = (await api.results({ project, limit: TREND_RUNS })).items;
          overviews[index] = { project, last: runs[0] ?? null, passRates: runs.map((run) => run.pass_rate).reverse() };
        }
      }));
      return renderHomePage({
        generatedAt: new Date().toISOString(),
        projects: overviews,
        next: page.next_cursor === null ? null : `${relativeLinks.home()}?cursor=${encodeURIComponent(page.next_cursor)}`,
        paged: cursor !== undefined,
      }, relativeLinks);
    });
  },
};
