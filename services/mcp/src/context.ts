import type { ApiClient } from './api-client.js';
import type { McpConfig } from './env.js';
import type { Logger } from './logger.js';

/** What every tool, resource and prompt gets: the config, the API client and a logger. */
export interface ToolContext {
  config: McpConfig;
  api: ApiClient;
  logger: Logger;
}
