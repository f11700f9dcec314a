import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../test-support/chromium.js';
import type { RunningService } from '../../../test-support/services.js';
import { startMcpHttp } from './http-server.js';
import { startStack, type Stack } from './stack.js';

/** What a browser test drives: the stack (Redis, ingest, API) with its seeded runs, the MCP HTTP service over that API, Debian's Chromium. */
export interface BrowserStack {
  stack: Stack;
  mcp: { service: RunningService; url: string };
  browser: Browser;
}

/** Starts the stack seeded as `options` says, then the MCP HTTP service and Chromium side by side. */
export async function startBrowserStack(options: Parameters<typeof startStack>[0] = {}): Promise<BrowserStack> {
  const stack = await startStack(options);
  const [mcp, browser] = await Promise.all([startMcpHttp({ API_URL: stack.apiUrl }), launchChromium()]);
  return { stack, mcp, browser };
}

/** Stops what {@link startBrowserStack} started (whatever part of it did start). */
export async function stopBrowserStack(parts: Partial<BrowserStack>): Promise<void> {
  await parts.browser?.close();
  await parts.mcp?.service.stop();
  await parts.stack?.stop();
}
