import { z } from 'zod';
import type { ToolContext } from '../context.js';
import { publicLinks, type PageLinks } from '../render/links.js';

/** The optional `page_url` every tool's output schema carries. */
export const pageUrlField = {
  page_url: z.string().optional().describe('The page that shows this answer on the MCP HTTP service (under PUBLIC_URL); absent when PUBLIC_URL is unset'),
};

/** `{ page_url }` when `PUBLIC_URL` is set, else `{}`: spread into a tool's structured result. */
export function pageUrl(ctx: ToolContext, page: (links: PageLinks) => string): { page_url?: string } {
  const links = publicLinks(ctx.config.publicUrl);
  return links ? { page_url: page(links) } : {};
}
