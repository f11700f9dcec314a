import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeIssues } from '@pytest-platform/schema';
import { z } from 'zod';

/** What a tool module registers its tool with: the McpServer's own `registerTool`. */
export type ToolRegistrar = Pick<McpServer, 'registerTool'>;

type ToolHandler = (args: unknown, extra: unknown) => CallToolResult | Promise<CallToolResult>;

const failed = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

const zodSchema = (schema: unknown, tool: string): z.ZodType => {
  if (schema instanceof z.ZodType) return schema;
  throw new Error(`tool ${tool}: input and output schemas must be zod schemas`);
};

/** Runs a registered tool the way the SDK does, except that arguments its input schema refuses are InvalidParams. */
async function callTool(name: string, tool: RegisteredTool | undefined, args: unknown, extra: unknown): Promise<CallToolResult> {
  if (tool === undefined || !tool.enabled) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
  const input = await zodSchema(tool.inputSchema, name).safeParseAsync(args ?? {});
  if (!input.success) throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for tool ${name}: ${describeIssues(input.error)}`);
  let result: CallToolResult;
  try {
    result = await (tool.handler as ToolHandler)(input.data, extra);
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
  if (result.isError || tool.outputSchema === undefined) return result;
  const output = await zodSchema(tool.outputSchema, name).safeParseAsync(result.structuredContent);
  return output.success ? result : failed(`Output validation error: invalid structured content for tool ${name}: ${describeIssues(output.error)}`);
}

/**
 * Registers tools with `server` and answers `tools/call` for them. The SDK (1.x, after the 2025-11-25
 * spec's SEP-1303) answers arguments that fail the input schema with an `isError` result; this
 * service answers them with the JSON-RPC error InvalidParams, so a malformed call never reads as a
 * failed run. It does so through public API: the `RegisteredTool`s `registerTool` returns, and its
 * own `tools/call` handler on the underlying `Server` (set once the tools are registered, replacing
 * the one McpServer installs with its first tool). `tools/list` stays the SDK's.
 */
export function registerToolsWith(server: McpServer, registerAll: (registrar: ToolRegistrar) => void): void {
  const tools = new Map<string, RegisteredTool>();
  const registrar: ToolRegistrar = {
    registerTool: (name, config, callback) => {
      const tool = server.registerTool(name, config, callback);
      tools.set(name, tool);
      return tool;
    },
  };
  registerAll(registrar);
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(request.params.name, tools.get(request.params.name), request.params.arguments, extra),
  );
}
