import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from '../context.js';
import { registerCompareRunsTool } from './compare-runs.js';
import { registerGetBuildTool } from './get-build.js';
import { registerGetFailureGroupsTool } from './get-failure-groups.js';
import { registerGetFailureStatsTool } from './get-failure-stats.js';
import { registerGetFailuresTool } from './get-failures.js';
import { registerGetFlakyTestsTool } from './get-flaky-tests.js';
import { registerGetNewFailuresTool } from './get-new-failures.js';
import { registerGetQuarantineTool } from './get-quarantine.js';
import { registerGetReportTool } from './get-report.js';
import { registerGetSlowestTestsTool } from './get-slowest-tests.js';
import { registerGetSummaryTool } from './get-summary.js';
import { registerGetTestHistoryTool } from './get-test-history.js';
import { registerGetTrendTool } from './get-trend.js';
import { registerGetWorkersTool } from './get-workers.js';
import { registerToolsWith, type ToolRegistrar } from './tool-registry.js';

/** Every tool of the service, in the order `tools/list` gives them. */
const tools: readonly ((server: ToolRegistrar, ctx: ToolContext) => void)[] = [
  registerGetReportTool,
  registerGetSummaryTool,
  registerGetTrendTool,
  registerGetFailuresTool,
  registerGetWorkersTool,
  registerGetFailureStatsTool,
  registerGetTestHistoryTool,
  registerGetFlakyTestsTool,
  registerGetFailureGroupsTool,
  registerCompareRunsTool,
  registerGetSlowestTestsTool,
  registerGetNewFailuresTool,
  registerGetBuildTool,
  registerGetQuarantineTool,
];

export function registerTools(server: McpServer, ctx: ToolContext): void {
  registerToolsWith(server, (registrar) => {
    for (const register of tools) register(registrar, ctx);
  });
}
