#!/usr/bin/env node
// The stdio MCP server, as MCP clients (Cursor, Claude Desktop, the Inspector) start it.
// Build first: `npx tsc -b services/mcp` (the root `npm ci` runs it through `prepare`).
await import('../dist/stdio.js');
