import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describeIssues } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { CompareRunsInput, registerCompareRunsTool } from './compare-runs.js';
import { GetBuildInput, registerGetBuildTool } from './get-build.js';
import { GetFailureGroupsInput, registerGetFailureGroupsTool } from './get-failure-groups.js';
import { GetFailureStatsInput, registerGetFailureStatsTool } from './get-failure-stats.js';
import { GetFailuresInput, registerGetFailuresTool } from './get-failures.js';
import { GetFlakyTestsInput, registerGetFlakyTestsTool } from './get-flaky-tests.js';
import { GetNewFailuresInput, registerGetNewFailuresTool } from './get-new-failures.js';
import { GetReportInput, registerGetReportTool } from './get-report.js';
import { GetSlowestTestsInput, registerGetSlowestTestsTool } from './get-slowest-tests.js';
import { GetSummaryInput, registerGetSummaryTool } from './get-summary.js';
import { GetTestHistoryInput, registerGetTestHistoryTool } from './get-test-history.js';
import { GetTrendInput, registerGetTrendTool } from './get-trend.js';
import { registerGetWorkersTool } from './get-workers.js';

/** Each tool's input schema, checked before the SDK sees the call. */
const inputs: Record<string, z.ZodType> = {
  get_report: GetReportInput,
  get_summary: GetSummaryInput,
  get_trend: GetTrendInput,
  get_failures: GetFailuresInput,
  get_workers: z.object({}),
  get_failure_stats: GetFailureStatsInput,
  get_test_history: GetTestHistoryInput,
  get_flaky_tests: GetFlakyTestsInput,
  get_failure_groups: GetFailureGroupsInput,
  compare_runs: CompareRunsInput,
  get_slowest_tests: GetSlowestTestsInput,
  get_new_failures: GetNewFailuresInput,
  get_build: GetBuildInput,
};

export const toolNames = Object.keys(inputs);

export function registerTools(server: McpServer, ctx: ToolContext): void {
  registerGetReportTool(server, ctx);
  registerGetSummaryTool(server, ctx);
  registerGetTrendTool(server, ctx);
  registerGetFailuresTool(server, ctx);
  registerGetWorkersTool(server, ctx);
  registerGetFailureStatsTool(server, ctx);
  registerGetTestHistoryTool(server, ctx);
  registerGetFlakyTestsTool(server, ctx);
  registerGetFailureGroupsTool(server, ctx);
  registerCompareRunsTool(server, ctx);
  registerGetSlowestTestsTool(server, ctx);
  registerGetNewFailuresTool(server, ctx);
  registerGetBuildTool(server, ctx);
  rejectInvalidArguments(server);
}

type RequestHandler = (request: { params?: { name?: unknown; arguments?: unknown } }, extra: unknown) => Promise<unknown>;

/**
 * SDK 1.x reports invalid tool arguments as an `isError` result; this service answers them with
 * the JSON-RPC error InvalidParams instead, so a malformed call never looks like a failed run.
 */
function rejectInvalidArguments(server: McpServer): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RequestHandler> })._requestHandlers;
  const original = handlers?.get('tools/call');
  if (!handlers || !original) throw new Error('tools/call handler not found: the MCP SDK changed, update rejectInvalidArguments');
  handlers.set('tools/call', async (request, extra) => {
    const name = request.params?.name;
    const schema = typeof name === 'string' ? inputs[name] : undefined;
    if (schema) {
      const parsed = schema.safeParse(request.params?.arguments ?? {});
      if (!parsed.success) throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for tool ${name}: ${describeIssues(parsed.error)}`);
    }
    return original(request, extra);
  });
}
