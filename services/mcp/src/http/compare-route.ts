import { compareRunsRoute } from '@pytest-platform/schema';
import { ApiRequestError } from '../api-client.js';
import { renderComparePage } from '../render/compare-page.js';
import { relativeLinks } from '../render/links.js';
import { PageError, pageQuery, requiredQueryValue, servePage } from './page-response.js';
import type { Route } from './route.js';

/** Tests listed per category; the counts are complete. */
const PER_CATEGORY = 100;

/** `GET /compare?base=&head=`: newly failing, fixed, still failing, added, removed and slower tests between two runs. */
export const compareRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/compare$/,
  handle(req, res, context) {
    return servePage(req, res, context, async () => {
      const query = pageQuery(context.url);
      const base = requiredQueryValue(query, 'base', 128);
      const head = requiredQueryValue(query, 'head', 128);
      try {
        const comparison = await context.api.call(compareRunsRoute, { query: { base, head, limit: PER_CATEGORY } });
        return renderComparePage(comparison, relativeLinks, new Date().toISOString());
      } catch (error) {
        if (error instanceof ApiRequestError && error.status === 404) throw new PageError(404, `No run ${JSON.stringify(error.message.includes('head:') ? head : base)} is stored.`);
        if (error instanceof ApiRequestError && error.status === 400) throw new PageError(400, 'These two runs cannot be compared: compare two runs of one project.');
        throw error;
      }
    });
  },
};
