import { getQuarantineRoute, type QuarantineList } from '@pytest-platform/schema';
import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { runTool, structured } from '../tool-result.js';
import { pageUrl, pageUrlField } from './page-url.js';
import type { ToolRegistrar } from './tool-registry.js';

const { project, nodeid } = getQuarantineRoute.query.shape;

/** The query of `GET /quarantine`, with this tool's own types and bounds. */
const GetQuarantineInput = getQuarantineRoute.query.extend({
  project: project.describe('Project name'),
  nodeid: nodeid.describe('Only this test, e.g. tests/test_api.py::test_create'),
  history: z.boolean().default(false).describe('Also list every quarantine and release, newest first (who, when, why)'),
  limit: z.number().int().min(1).max(1_000).default(50).describe('How many history entries'),
});

/** Entries and history entries named in the text; the structured content has every one. */
const MAX_TEXT_LINES = 30;

function describeQuarantine(list: QuarantineList): string {
  const lines = [list.items.length === 0
    ? `No test of ${list.project} is quarantined.`
    : `${list.items.length} test${list.items.length === 1 ? '' : 's'} of ${list.project} quarantined (failures of these do not fail a run with --platform-quarantine):`];
  for (const e of list.items.slice(0, MAX_TEXT_LINES)) {
    lines.push(`- ${e.nodeid}: ${e.reason} (by ${e.by} since ${e.since}${e.expires_at ? `, until ${e.expires_at}` : ''})`);
  }
  if (list.items.length > MAX_TEXT_LINES) lines.push(`- and ${list.items.length - MAX_TEXT_LINES} more`);
  if (list.history !== undefined) {
    lines.push('', list.history.length === 0 ? 'No quarantine or release yet.' : 'History, newest first:');
    for (const h of list.history.slice(0, MAX_TEXT_LINES)) lines.push(`- ${h.at} ${h.action} by ${h.by}: ${h.nodeid}: ${h.reason}`);
  }
  return lines.join('\n');
}

export function registerGetQuarantineTool(server: ToolRegistrar, ctx: ToolContext): void {
  server.registerTool(
    'get_quarantine',
    {
      title: 'Quarantined tests',
      description:
        "A project's quarantined tests: each with why (the reason; for automatic entries the flaky evidence), who (by: api or auto), since when and until when. "
        + 'A quarantined test still runs and is reported; with the reporters\' quarantine option its failure does not fail the run. '
        + 'history: true adds every quarantine and release, newest first.',
      inputSchema: GetQuarantineInput,
      outputSchema: getQuarantineRoute.response.schema.extend(pageUrlField),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      runTool(ctx, 'get_quarantine', async () => {
        const list = await ctx.api.call(getQuarantineRoute, { query: args });
        const page = pageUrl(ctx, (links) => (args.nodeid === undefined ? links.flaky(list.project) : links.test(list.project, args.nodeid)));
        return structured({ ...list, ...page }, [{ type: 'text', text: describeQuarantine(list) }]);
      }),
  );
}
