#!/usr/bin/env node
// The stdio MCP server, as MCP clients (Cursor, Claude Desktop, the Inspector) start it, and
// `pytest-platform-mcp digest …` (the e-mail digest: --send-now, --preview out.html).
// Build first: `npx tsc -b services/mcp` (the root `npm ci` runs it through `prepare`).
if (process.argv[2] === 'digest') {
  const { digestMain } = await import('../dist/mail/digest-cli.js');
  process.exitCode = await digestMain(process.argv.slice(3));
} else {
  await import('../dist/stdio.js');
}
