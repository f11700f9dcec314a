import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiClient } from '../api-client.js';
import type { McpConfig } from '../env.js';
import type { Logger } from '../logger.js';

/** What a route handler gets besides the request. */
interface RouteContext {
  config: McpConfig;
  api: ApiClient;
  logger: Logger;
  url: URL;
  /** The path's captured segments, still percent-encoded. */
  params: readonly string[];
}

/** One route of the HTTP service: its methods, its path pattern, its handler. */
export interface Route {
  methods: readonly string[];
  path: RegExp;
  /** A page for people: HTML, and HTTP Basic accepted besides a bearer token (so a browser can sign in). @defaultValue false */
  page?: boolean;
  handle(req: IncomingMessage, res: ServerResponse, context: RouteContext): Promise<void>;
}
