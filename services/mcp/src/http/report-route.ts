import { ApiRequestError } from '../api-client.js';
import { relativeLinks } from '../render/links.js';
import { renderReport } from '../render/report.js';
import { REPORT_CSP } from '../render/report-csp.js';
import { loadReportData } from '../report-data.js';
import { requireProject, ToolFailure } from '../tool-result.js';
import { PageError, pageQuery, queryValue } from './page-response.js';
import { decodePathSegment, sendText } from './respond.js';
import type { Route } from './route.js';

/** `GET /reports/{project}.html[?branch=]`: the project's self-contained HTML report, linked to the pages (`/projects/{project}` shows the same). */
export const reportRoute: Route = {
  methods: ['GET', 'HEAD'],
  page: true,
  path: /^\/reports\/([^/]+)\.html$/,
  async handle(req, res, { config, api, logger, url, params }) {
    const headers = { 'content-security-policy': REPORT_CSP };
    const project = decodePathSegment(params[0]!);
    if (project === null) return sendText(req, res, 400, 'The project name in this address is not valid (a malformed % escape).', headers);
    let branch: string | undefined;
    try {
      branch = queryValue(pageQuery(url), 'branch');
    } catch (error) {
      if (error instanceof PageError) return sendText(req, res, 400, error.message, headers);
      throw error;
    }
    try {
      await requireProject({ api, config, logger }, project);
      const report = renderReport(await loadReportData(api, { project, branch }), relativeLinks);
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        'content-length': String(report.bytes),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : report.html);
    } catch (error) {
      if (error instanceof ToolFailure) return sendText(req, res, 404, error.message, headers);
      // The API's own words name its routes: a reader gets a plain sentence.
      if (error instanceof ApiRequestError && error.status === 400) return sendText(req, res, 400, 'This address asks for a report the results cannot answer.', headers);
      // The cause is logged; the answer names nothing behind this service.
      logger.warn({ err: (error as Error).message, project }, 'report failed');
      sendText(req, res, 502, 'The report cannot be made right now; try again later.', headers);
    }
  },
};
