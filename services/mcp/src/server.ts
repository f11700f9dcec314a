import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ApiClient } from './api-client.js';
import type { ToolContext } from './context.js';
import type { McpConfig } from './env.js';
import { createLogger, type Logger } from './logger.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { registerTools } from './tools/index.js';

export const SERVER_INFO = { name: 'pytest-platform', version: '0.1.0' } as const;

export interface ServerDeps {
  api?: ApiClient;
  logger?: Logger;
}

/** One MCP server with every tool, resource and prompt; it reads data from the API at `config.apiUrl`. */
export function createServer(config: McpConfig, deps: ServerDeps = {}): McpServer {
  const ctx: ToolContext = {
    config,
    api: deps.api ?? new ApiClient({ apiUrl: config.apiUrl, apiToken: config.apiClientToken, timeoutMs: config.apiTimeoutMs }),
    logger: deps.logger ?? createLogger(config.logLevel),
  };
  const server = new McpServer(SERVER_INFO, {
    instructions:
      'Test results of the pytest-platform: call get_summary for recent runs, get_failures for what broke, get_trend and get_failure_stats for history, get_workers for the fleet, and get_report for the full HTML report.',
  });
  registerTools(server, ctx);
  registerResources(server, ctx);
  registerPrompts(server);
  return server;
}
