import axe from 'axe-core';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { screenshotPath } from '../../../test-support/screenshots.js';
import type { RunningService } from '../../../test-support/services.js';
import { startBrowserStack, stopBrowserStack } from './browser-stack.js';
import { FAILING, FLIP, pageRuns } from './page-runs.js';
import type { Stack } from './stack.js';

let stack: Stack;
let mcp: { service: RunningService; url: string };
let browser: Browser;
let shop: ReturnType<typeof pageRuns>['shop'];

beforeAll(async () => {
  const runs = pageRuns();
  shop = runs.shop;
  ({ stack, mcp, browser } = await startBrowserStack({ runs }));
}, 120_000);
afterAll(() => stopBrowserStack({ stack, mcp, browser }));

/** What a page did while the test drove it: documents loaded, every request, console errors, uncaught errors. */
interface Watched {
  page: Page;
  documents: { url: string; status: number }[];
  requests: string[];
  errors: string[];
}

async function watchedPage(width = 1100): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const watched: Watched = { page, documents: [], requests: [], errors: [] };
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document') watched.documents.push({ url: response.url(), status: response.status() });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watched.errors.push(message.text());
  });
  page.on('pageerror', (error) => watched.errors.push(error.message));
  return watched;
}

/** Clicks the link and waits for the page it opens. */
async function follow(page: Page, link: ReturnType<Page['locator']>): Promise<void> {
  const from = page.url();
  await Promise.all([page.waitForURL((url) => url.href !== from, { waitUntil: 'load' }), link.click()]);
}

describe('the pages in headless Chromium', () => {
  test('a reader clicks from / to a project, its latest run, a failed test, its history, back to the run and to the comparison with the previous run', async () => {
    const [oldest, older, newest] = [shop[0]!, shop[1]!, shop[2]!];
    const { page, documents, requests, errors } = await watchedPage();
    // The top of each page (a full page of a long run is metres of pixels).
    const shot = (name: string) => page.screenshot({ path: screenshotPath(name) });

    await page.goto(`${mcp.url}/`, { waitUntil: 'load' });
    expect(await page.title()).toBe('Projects — pytest-platform');
    await shot('page-home.png');

    await follow(page, page.locator('table a[href="/projects/shop"]'));
    expect(page.url()).toBe(`${mcp.url}/projects/shop`);
    expect(await page.title()).toBe('shop — test report');
    await shot('page-project.png');

    await follow(page, page.getByRole('link', { name: 'Last run' }));
    expect(page.url()).toBe(`${mcp.url}/runs/${newest.run_id}`);
    expect(await page.locator('h1').textContent()).toBe(`Run ${newest.run_id} shop`);
    const traceback = page.locator('#failures article.failure-item').first().locator('pre.traceback');
    expect(await traceback.isVisible()).toBe(false);
    await page.locator('#failures article.failure-item').first().locator('summary').click();
    expect(await traceback.isVisible()).toBe(true);
    await shot('page-run.png');

    await follow(page, page.locator('#failures article.failure-item').first().getByRole('link', { name: FAILING(0) }));
    expect(new URL(page.url()).searchParams.get('nodeid')).toBe(FAILING(0));
    expect(await page.title()).toBe(`Test ${FAILING(0)} of shop — pytest-platform`);
    // The test's history: its outcome in each stored run, newest first.
    const history = page.locator('#history tbody tr');
    expect(await history.count()).toBe(1);
    expect(await page.locator('#outcomes .strip a.failed').count()).toBe(1);
    await shot('page-test.png');

    await follow(page, history.first().getByRole('link').first());
    expect(page.url()).toBe(`${mcp.url}/runs/${newest.run_id}`);

    await follow(page, page.getByRole('link', { name: 'Compare with the previous run' }));
    expect(page.url()).toBe(`${mcp.url}/compare?base=${older.run_id}&head=${newest.run_id}`);
    expect(await page.locator('#fixed tbody tr').count()).toBe(1);
    await shot('page-compare.png');

    // The other page types, for the screenshots in docs/.
    for (const [path, name] of [
      ['/builds/pipeline-7?project=shop', 'page-build.png'],
      [`/tests?project=shop&nodeid=${encodeURIComponent(FLIP)}`, 'page-test-flaky.png'],
      ['/flaky?project=shop', 'page-flaky.png'],
      ['/workers', 'page-workers.png'],
    ] as const) {
      await page.goto(`${mcp.url}${path}`, { waitUntil: 'load' });
      await shot(name);
    }

    expect(documents).toHaveLength(10);
    for (const document of documents) expect(document.status, document.url).toBe(200);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(`${mcp.url}/`))).toEqual([]);
    expect(requests.length).toBe(documents.length);
    expect(oldest.run_id).not.toBe(older.run_id);
    await page.close();
  });

  test('keyboard focus is visible, dark mode follows the system, long node ids wrap, times are UTC with their age', async () => {
    const { page, errors } = await watchedPage(700);
    await page.goto(`${mcp.url}/tests?project=shop&nodeid=${encodeURIComponent(FLIP)}`, { waitUntil: 'load' });
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('pytest-platform');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineWidth')).toBe('3px');
    // The long parametrised node id wraps inside the page instead of widening it.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(700);
    expect(await page.locator('h1 .nodeid').evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(30);
    expect(await page.locator('#history time').first().textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(await page.locator('#history .age').first().textContent()).toBe('(2 h ago)');

    const background = 'getComputedStyle(document.documentElement).backgroundColor';
    expect(await page.evaluate(background)).toBe('rgb(255, 255, 255)');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate(background)).toBe('rgb(13, 17, 23)');
    await page.goto(`${mcp.url}/runs/${shop[2]!.run_id}`, { waitUntil: 'load' });
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.screenshot({ path: screenshotPath('page-run-dark.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('axe-core in Chromium', () => {
  test('no serious or critical accessibility violation on any page type, light or dark', async () => {
    const run = shop[2]!;
    const paths = [
      '/', '/projects/shop', '/reports/shop.html', `/runs/${run.run_id}`, `/runs/${run.run_id}?outcome=passed&q=item`,
      `/compare?base=${shop[1]!.run_id}&head=${run.run_id}`, '/builds/pipeline-7?project=shop', `/tests?project=shop&nodeid=${encodeURIComponent(FLIP)}`,
      '/flaky?project=shop', '/flaky', '/workers', '/runs/no-such-run', '/tests?project=shop',
    ];
    const violations = async (page: Page) => {
      await page.evaluate(axe.source);
      return (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
        id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary) })))`)) as { id: string; impact: string }[];
    };
    // Control: the same check does report what it looks for.
    const control = await browser.newPage();
    await control.setContent('<!doctype html><html lang="en"><title>t</title><main><p style="color:#999;background:#aaa">faint</p><button></button></main></html>');
    expect((await violations(control)).map((v) => `${v.id}:${v.impact}`)).toEqual(expect.arrayContaining(['button-name:critical', 'color-contrast:serious']));
    await control.close();
    for (const colorScheme of ['light', 'dark'] as const) {
      // The pages' CSP forbids scripts; axe runs through page.evaluate (DevTools), which the CSP does not govern, so nothing is bypassed.
      const context = await browser.newContext({ colorScheme, viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      for (const path of paths) {
        await page.goto(`${mcp.url}${path}`, { waitUntil: 'load' });
        const found = await violations(page);
        expect(found.filter((v) => v.impact === 'serious' || v.impact === 'critical'), `${colorScheme} ${path}`).toEqual([]);
      }
      await context.close();
    }
  }, 600_000);
});
