import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer } from '../server.js';
import type { Route } from './route.js';

/** JSON-RPC messages one POST may carry: a batch is answered whole, so its size bounds what one request holds. */
export const MAX_BATCH_MESSAGES = 20;
/** Bytes of one POST body; MCP requests are small (a tool call's arguments). */
export const MAX_BODY_BYTES = 1_048_576;

/** A JSON-RPC error answer with no id (the request could not be read); the connection closes after it. */
function sendRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/** The body as text, or `null` once it is larger than `maxBytes` (declared or sent); nothing more is read then. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  if (Number(req.headers['content-length']) > maxBytes) return null;
  const chunks: Buffer[] = [];
  let received = 0;
  // Not destroyed when the loop stops early: the answer still goes out on this connection.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    received += (chunk as Buffer).length;
    if (received > maxBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and bounds one POST: its JSON, or `undefined` after answering with a JSON-RPC error. */
async function boundedMessage(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === null) {
    sendRpcError(res, 413, -32600, `Invalid Request: the body is larger than ${MAX_BODY_BYTES} bytes`);
    return undefined;
  }
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    sendRpcError(res, 400, -32700, 'Parse error: the body is not JSON');
    return undefined;
  }
  if (Array.isArray(message) && message.length > MAX_BATCH_MESSAGES) {
    sendRpcError(res, 400, -32600, `Invalid Request: a batch carries at most ${MAX_BATCH_MESSAGES} messages, this one ${message.length}; send them in several requests`);
    return undefined;
  }
  return message;
}

/** `POST /mcp`: Streamable HTTP, stateless (one MCP server per request), a bounded body and batch. */
export const mcpRoute: Route = {
  methods: ['POST'],
  path: /^\/mcp$/,
  async handle(req, res, { config, api, logger }) {
    const message = await boundedMessage(req, res);
    if (message === undefined) return;
    const mcp = createServer(config, { api, logger });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, message);
  },
};
