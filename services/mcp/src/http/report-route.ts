import { REPORT_CSP, renderReport } from '../render/report.js';
import { loadReportData } from '../report-data.js';
import { requireProject, ToolFailure } from '../tool-result.js';
import { decodePathSegment, sendText } from './respond.js';
import type { Route } from './route.js';

/** `GET /reports/{project}.html[?branch=]`: the project's self-contained HTML report. */
export const reportRoute: Route = {
  methods: ['GET', 'HEAD'],
  path: /^\/reports\/([^/]+)\.html$/,
  async handle(req, res, { config, api, logger, url, params }) {
    const headers = { 'content-security-policy': REPORT_CSP };
    const project = decodePathSegment(params[0]!);
    if (project === null) return sendText(req, res, 400, 'The project name in this address is not valid (a malformed % escape).', headers);
    try {
      await requireProject({ api, config, logger }, project);
      const report = renderReport(await loadReportData(api, { project, branch: url.searchParams.get('branch') || undefined }));
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
      // The cause is logged; the answer names nothing behind this service.
      logger.warn({ err: (error as Error).message, project }, 'report failed');
      sendText(req, res, 502, 'The report cannot be made right now; try again later.', headers);
    }
  },
};
