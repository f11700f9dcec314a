#!/usr/bin/env bash
# Runs the official MCP Inspector CLI (Node >= 22) against this server over stdio and Streamable HTTP.
# The Inspector and a Node 22 binary (npm package node@22) go into INSPECTOR_DIR, never into the repo.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export INSPECTOR_DIR="${INSPECTOR_DIR:-${TMPDIR:-/tmp}/pytest-platform-inspector}"
if [[ ! -x "$INSPECTOR_DIR/node_modules/node/bin/node" || ! -f "$INSPECTOR_DIR/node_modules/@modelcontextprotocol/inspector/cli/build/cli.js" ]]; then
  mkdir -p "$INSPECTOR_DIR"
  npm install --no-save --no-audit --no-fund --prefix "$INSPECTOR_DIR" node@22 @modelcontextprotocol/inspector
fi
"$INSPECTOR_DIR/node_modules/node/bin/node" --version
exec npx vitest run --project @pytest-platform/mcp test/inspector.test.ts
