import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPORT_VIEW_URI } from '../src/index.js';
import { reportViewHtml } from '../src/app-view.js';
import { repoRoot, type RunningService } from '../../../test-support/services.js';
import { startBrowserStack, stopBrowserStack } from './browser-stack.js';
import { XSS_MESSAGE, XSS_NODEID, type Stack } from './stack.js';
import { screenshotPath } from '../../../test-support/screenshots.js';

let stack: Stack;
let mcp: { service: RunningService; url: string };
let browser: Browser;

beforeAll(async () => {
  ({ stack, mcp, browser } = await startBrowserStack());
}, 120_000);
afterAll(() => stopBrowserStack({ stack, mcp, browser }));

describe('the HTML report in headless Chromium', () => {
  test('renders one point per run, makes no network request, shows hostile strings as text', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const url = `${mcp.url}/reports/demo.html`;
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);

    const runs = stack.runs.demo?.length ?? 0;
    expect(await page.locator('svg.chart.pass-rate circle.point').count()).toBe(runs);
    expect(await page.locator('svg.chart.duration circle.point').count()).toBe(runs);
    expect(await page.locator('svg.chart.pass-rate text.tick').allTextContents()).toEqual(expect.arrayContaining(['0%', '50%', '100%']));

    const nodeid = page.locator('details.failure code.nodeid', { hasText: 'test_xss' });
    expect(await nodeid.textContent()).toBe(XSS_NODEID);
    expect(await page.locator('details.failure .message', { hasText: 'quotes' }).textContent()).toBe(XSS_MESSAGE);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('text=laptop-<b>eve</b>').count()).toBeGreaterThan(0);

    const details = page.locator('details.failure', { hasText: 'test_xss' });
    expect(await details.locator('pre.traceback').isVisible()).toBe(false);
    await details.locator('summary').click();
    expect(await details.locator('pre.traceback').isVisible()).toBe(true);
    expect(await details.locator('pre.traceback').textContent()).toContain('<style>body{display:none}</style>');

    mkdirSync(join(repoRoot, 'docs'), { recursive: true });
    await page.screenshot({ path: screenshotPath('report.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate('window.scrollTo(0, 0)');
    const background = 'getComputedStyle(document.documentElement).backgroundColor';
    const darkBg = await page.evaluate(background);
    expect(darkBg).toBe('rgb(13, 17, 23)');
    await page.screenshot({ path: screenshotPath('report-dark.png'), fullPage: false });
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    expect(await page.evaluate(background)).toBe('rgb(255, 255, 255)');

    expect(requests).toEqual([url]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  test('the MCP Apps view shows the report a host hands it as a tool result', async () => {
    const report = await (await fetch(`${mcp.url}/reports/demo.html`)).text();
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // A minimal host: answers ui/initialize, then sends the tool result, as MCP Apps hosts do.
    await page.setContent(`<!doctype html><body><iframe id="view" style="width:1000px;height:800px"></iframe><script>
      const frame = document.getElementById('view');
      window.hostLog = [];
      window.addEventListener('message', (event) => {
        const msg = event.data;
        window.hostLog.push(msg.method || 'response');
        if (msg.method === 'ui/initialize') {
          frame.contentWindow.postMessage({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, hostInfo: { name: 'test-host', version: '1' }, hostCapabilities: {}, hostContext: {} } }, '*');
        } else if (msg.method === 'ui/notifications/initialized') {
          frame.contentWindow.postMessage({ jsonrpc: '2.0', method: 'ui/notifications/tool-result', params: { content: [{ type: 'text', text: window.report }], structuredContent: { project: 'demo' } } }, '*');
        }
      });
    </script></body>`);
    await page.evaluate(`window.report = ${JSON.stringify(report)}; document.getElementById('view').srcdoc = ${JSON.stringify(reportViewHtml)};`);
    // The view shows the report in its own sandboxed frame.
    const frame = page.frameLocator('#view').frameLocator('#report');
    await frame.locator('svg.chart.pass-rate').waitFor({ timeout: 10_000 });
    expect(await frame.locator('svg.chart.pass-rate circle.point').count()).toBe(stack.runs.demo?.length);
    expect(await frame.locator('details.failure code.nodeid', { hasText: 'test_xss' }).textContent()).toBe(XSS_NODEID);
    expect(await page.evaluate('window.hostLog')).toEqual(
      expect.arrayContaining(['ui/initialize', 'ui/notifications/initialized', 'ui/notifications/size-changed']),
    );
    expect(dialogs).toEqual([]);
    expect(REPORT_VIEW_URI).toBe('ui://pytest-platform/report.html');
    await page.close();
  });
});
