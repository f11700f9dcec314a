import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's headless Chromium (`CHROMIUM_PATH` elsewhere), driven by playwright-core: never a
 * downloaded browser, and nothing that calls home while a test runs.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}
