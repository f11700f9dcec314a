import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { listProjectsRoute } from '@pytest-platform/schema';
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

/** Projects an unknown-project message names. */
const KNOWN_PROJECTS_SHOWN = 50;

/**
 * Throws a {@link ToolFailure} listing the first known projects when `project` has no run: one
 * look-up of its newest run, however many projects there are.
 */
export async function requireProject(ctx: ToolContext, project: string): Promise<void> {
  if ((await ctx.api.results({ project, limit: 1 })).items.length > 0) return;
  const page = await ctx.api.call(listProjectsRoute, { query: { limit: KNOWN_PROJECTS_SHOWN } });
  const known = page.items.length === 0
    ? 'The API has no projects yet: no run has been stored.'
    : `Known projects: ${page.items.map((p) => JSON.stringify(p.project)).join(', ')}${page.next_cursor === null ? '' : ' and more'}.`;
  throw new ToolFailure(`Unknown project ${JSON.stringify(project)}. ${known}`);
}
