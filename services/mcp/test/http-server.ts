import type { RunningService } from '../../../test-support/services.js';
import { freePort, startService } from '../../../test-support/services.js';

/** Starts the MCP HTTP server from source as a real process (`src/main.ts`). */
export async function startMcpHttp(env: Record<string, string>): Promise<{ service: RunningService; url: string; port: number }> {
  const port = await freePort();
  const service = await startService('mcp', { MCP_PORT: String(port), MCP_HOST: '127.0.0.1', ...env });
  return { service, url: `http://127.0.0.1:${port}`, port };
}
