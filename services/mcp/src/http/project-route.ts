import { relativeLinks } from '../render/links.js';
import { renderReport } from '../render/report.js';
import { loadReportData } from '../report-data.js';
import { requireProject } from '../tool-result.js';
import { pageQuery, pathValue, queryValue, servePage } from './page-response.js';
import type { Route } from './route.js';

/** `GET /projects/{project}[?branch=]`: the project's report, every name, run and test a link to its page. */
export const projectRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/projects\/([^/]+)$/,
  handle(req, res, context) {
    return servePage(req, res, context, async () => {
      const project = pathValue(context.params[0]!, 'project name');
      const branch = queryValue(pageQuery(context.url), 'branch');
      await requireProject(context, project);
      return renderReport(await loadReportData(context.api, { project, branch }), relativeLinks);
    });
  },
};
