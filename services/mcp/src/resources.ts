import { RESOURCE_MIME_TYPE, registerAppResource } from '@modelcontextprotocol/ext-apps/server';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { REPORT_VIEW_URI, reportViewHtml } from './app-view.js';
import type { ToolContext } from './context.js';
import { renderReport } from './render/report.js';
import { loadReportData } from './report-data.js';
import { decodePathSegment } from './http/respond.js';
import { requireProject, ToolFailure } from './tool-result.js';

export function registerResources(server: McpServer, ctx: ToolContext): void {
  server.registerResource(
    'report',
    new ResourceTemplate('report://{project}', {
      list: async () => {
        const projects = await ctx.api.projects().catch((error: unknown) => {
          ctx.logger.warn({ err: (error as Error).message }, 'cannot list report resources');
          return [] as string[];
        });
        return {
          resources: projects.map((project) => ({
            uri: `report://${encodeURIComponent(project)}`,
            name: `${project} report`,
            mimeType: 'text/html',
          })),
        };
      },
      complete: {
        project: async (value) => (await ctx.api.projects().catch(() => [] as string[])).filter((project) => project.startsWith(value)),
      },
    }),
    {
      title: 'HTML test report',
      description: 'The self-contained HTML test report of a project (last 30 runs, all branches).',
      mimeType: 'text/html',
    },
    async (uri, variables) => {
      const project = decodePathSegment(String(variables.project ?? ''));
      if (project === null) throw new McpError(ErrorCode.InvalidParams, 'The project in this report:// address is not valid (a malformed % escape).');
      try {
        await requireProject(ctx, project);
      } catch (error) {
        if (error instanceof ToolFailure) throw new McpError(ErrorCode.InvalidParams, error.message);
        throw error;
      }
      const report = renderReport(await loadReportData(ctx.api, { project }));
      return { contents: [{ uri: uri.href, mimeType: 'text/html', text: report.html }] };
    },
  );

  registerAppResource(
    server,
    'Test report view',
    REPORT_VIEW_URI,
    { description: 'MCP Apps view that shows the get_report HTML inline.' },
    async () => ({ contents: [{ uri: REPORT_VIEW_URI, mimeType: RESOURCE_MIME_TYPE, text: reportViewHtml }] }),
  );
}
