import { renderBuildPage } from '../render/build-page.js';
import { relativeLinks } from '../render/links.js';
import { PageError, pageQuery, pathValue, requiredQueryValue, servePage } from './page-response.js';
import type { Route } from './route.js';

/** `GET /builds/{build_id}?project=`: one CI build with its runs and summed counts (build ids are per project). */
export const buildRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/builds\/([^/]+)$/,
  handle(req, res, context) {
    return servePage(req, res, context, async () => {
      const buildId = pathValue(context.params[0]!, 'build id');
      const project = requiredQueryValue(pageQuery(context.url), 'project');
      const build = await context.api.build(project, buildId);
      if (!build) throw new PageError(404, `No build ${JSON.stringify(buildId)} is stored for project ${JSON.stringify(project)}.`);
      return renderBuildPage(build, relativeLinks, new Date().toISOString());
    });
  },
};
