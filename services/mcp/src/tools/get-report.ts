import { registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { REPORT_VIEW_URI } from '../app-view.js';
import { publicLinks } from '../render/links.js';
import { renderReport, reportSections } from '../render/report.js';
import { loadReportData } from '../report-data.js';
import { requireProject, runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const GetReportInput = z.object({
  project: z.string().min(1).max(255).describe('Project name, as the reporters send it'),
  branch: z.string().min(1).max(255).optional().describe('Only runs of this branch; all branches when absent'),
  runs: z.number().int().min(1).max(200).default(30).describe('Runs in the trend charts'),
});

const GetReportOutput = z.object({
  project: z.string(),
  branch: z.string().nullable(),
  runs: z.number().int().describe('Runs in the trend charts'),
  latest_run_id: z.string().nullable(),
  bytes: z.number().int().describe('UTF-8 size of the HTML'),
  sections: z.array(z.enum(reportSections)),
  generated_at: z.string(),
  ...pageUrlField,
});

export function registerGetReportTool(server: ToolRegistrar, ctx: ToolContext): void {
  registerAppTool(
    server,
    'get_report',
    {
      title: 'Get HTML test report',
      description:
        'Renders the complete self-contained HTML test report of a project: summary of the last run, pass-rate and duration trend charts, '
        + 'failures of the latest run with tracebacks, most frequent failures, recent runs and workers. Returns the HTML as the text content and its size and sections as structured content.',
      inputSchema: GetReportInput,
      outputSchema: GetReportOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
      _meta: { ui: { resourceUri: REPORT_VIEW_URI } },
    },
    async (args) =>
      runTool(ctx, 'get_report', async () => {
        await requireProject(ctx, args.project);
        const data = await loadReportData(ctx.api, { project: args.project, branch: args.branch, runs: args.runs });
        const report = renderReport(data, publicLinks(ctx.config.publicUrl));
        const result = {
          project: data.project,
          branch: data.branch,
          runs: data.trend.points.length,
          latest_run_id: data.latest?.run_id ?? null,
          bytes: report.bytes,
          sections: report.sections,
          generated_at: data.generatedAt,
          ...pageUrl(ctx, (links) => links.project(data.project, data.branch)),
        };
        return structured(result, [{ type: 'text', text: report.html }]);
      }),
  );
}
