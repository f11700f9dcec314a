import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApiRequestError, ApiUnavailableError } from './api-client.js';
import type { ToolContext } from './context.js';

/** A failure while running a tool, with a message a person can act on. */
export class ToolFailure extends Error {}

/** The structured result plus the same JSON as text, for clients that only read text. */
export function structured<T extends Record<string, unknown>>(data: T, content?: CallToolResult['content']): CallToolResult & { structuredContent: T } {
  return {
    content: content ?? [{ type: 'text', text: JSON.stringify(data, null, 2) }],
    structuredContent: data,
  };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Runs a tool body; known failures and API errors become `{ isError: true }` results, the server stays up. */
export async function runTool(ctx: ToolContext, name: string, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ToolFailure || error instanceof ApiUnavailableError || error instanceof ApiRequestError) {
      ctx.logger.warn({ tool: name, err: error.message }, 'tool failed');
      return toolError(error.message);
    }
    ctx.logger.error({ tool: name, err: error }, 'tool crashed');
    return toolError(`${name} failed unexpectedly: ${(error as Error).message}`);
  }
}

/** Throws a {@link ToolFailure} listing the known projects when `project` is not one of them. */
export async function requireProject(ctx: ToolContext, project: string): Promise<void> {
  const projects = await ctx.api.projects();
  if (projects.includes(project)) return;
  const known = projects.length === 0
    ? 'The API has no projects yet: no run has been stored.'
    : `Known projects: ${projects.slice(0, 50).map((p) => JSON.stringify(p)).join(', ')}${projects.length > 50 ? ` and ${projects.length - 50} more` : ''}.`;
  throw new ToolFailure(`Unknown project ${JSON.stringify(project)}. ${known}`);
}
