import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer } from '../server.js';
import type { Route } from './route.js';

/** `POST /mcp`: Streamable HTTP, stateless (one MCP server per request). */
export const mcpRoute: Route = {
  methods: ['POST'],
  path: /^\/mcp$/,
  async handle(req, res, { config, api, logger }) {
    const mcp = createServer(config, { api, logger });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  },
};
