import { listWorkersRoute } from '@pytest-platform/schema';
import { relativeLinks } from '../render/links.js';
import { renderWorkersPage } from '../render/workers-page.js';
import { pageQuery, queryValue, servePage } from './page-response.js';
import type { Route } from './route.js';

/** Workers on one page. */
const WORKERS_PER_PAGE = 200;

/** `GET /workers[?cursor=]`: the workers, a page at a time, each row anchored for links from the other pages. */
export const workersRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/workers$/,
  handle(req, res, context) {
    return servePage(req, res, context, async () => {
      const cursor = queryValue(pageQuery(context.url), 'cursor', 4_000);
      const page = await context.api.call(listWorkersRoute, { query: { limit: WORKERS_PER_PAGE, cursor } });
      const next = page.next_cursor === null ? null : `${relativeLinks.workers()}?cursor=${encodeURIComponent(page.next_cursor)}`;
      return renderWorkersPage({ generatedAt: new Date().toISOString(), workers: page.items, next, paged: cursor !== undefined }, relativeLinks);
    });
  },
};
