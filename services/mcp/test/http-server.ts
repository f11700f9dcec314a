import type { RunningService } from '../../../test-support/services.js';
import { freePort, startService } from '../../../test-support/services.js';

/** Starts the MCP HTTP server from source as a real process (`src/main.ts`); `env` may depend on its URL (e.g. `PUBLIC_URL`). */
export async function startMcpHttp(
  env: Record<string, string> | ((url: string) => Record<string, string>),
): Promise<{ service: RunningService; url: string; port: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startService('mcp', { MCP_PORT: String(port), MCP_HOST: '127.0.0.1', ...(typeof env === 'function' ? env(url) : env) });
  return { service, url, port };
}
