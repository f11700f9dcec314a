import { randomUUID } from 'node:crypto';
import { createRedisClient } from '@pytest-platform/redis';
import type { Redis } from 'ioredis';
import { launchChromium } from '../../../test-support/chromium.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { quarantineEventFields, streamNames, type QuarantineChange } from '@pytest-platform/schema';
import { mailKeys } from '../src/mail/mail-keys.js';
import { makeRun } from '../../../test-support/runs.js';
import { REDIS_URL, type RunningService } from '../../../test-support/services.js';
import { startMcpHttp } from './http-server.js';
import { waitFor } from '../../../test-support/wait-for.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import { startStack, type Stack } from './stack.js';
import { screenshotPath } from '../../../test-support/screenshots.js';

const X = 'tests/test_ui.py::test_<b>render</b>[<img src=x onerror=alert(1)>]';
const X_MESSAGE = 'AssertionError: <script>alert(2)</script> & "quotes"\nsecond line';
const Y = 'tests/test_db.py::test_connect';
const Z = 'tests/test_db.py::test_query';

let stack: Stack;
let smtp: TestSmtp;
let mcp: { service: RunningService; url: string };
let redis: Redis;
const prefix = `mail-test:${randomUUID()}`;
const keys = mailKeys(prefix);

beforeAll(async () => {
  [stack, smtp] = await Promise.all([startStack({ runs: {} }), startSmtp()]);
  redis = createRedisClient(REDIS_URL);
  // PUBLIC_URL is this MCP service itself, so the links in the alert open its pages.
  mcp = await startMcpHttp((url) => ({
    API_URL: stack.apiUrl, REDIS_URL, RESULTS_STREAM: stack.apiEnv.RESULTS_STREAM ?? '', QUEUE_PREFIX: prefix,
    SMTP_URL: smtp.url, ALERT_TO: 'oncall@example.com', MAIL_BACKOFF_MS: '200', PUBLIC_URL: `${url}/`,
  }));
  await waitFor('the alert reader', () => mcp.service.output().includes('"msg":"mail ready"'));
});
afterAll(async () => {
  await mcp?.service.stop();
  const leftovers = await redis.keys(`${prefix}*`);
  if (leftovers.length > 0) await redis.del(...leftovers);
  await redis?.quit();
  await smtp?.stop();
  await stack?.stop();
});

async function post(branch: string, tests: { nodeid: string; outcome: 'passed' | 'failed'; message?: string }[]): Promise<string> {
  const run = makeRun({ branch, commit: 'c0ffee1', worker_id: 'ci-runner-07', environment: { ci_url: 'https://ci.example.com/builds/42' }, tests: tests.map((t) => ({ duration: 0.1, ...t })) });
  const response = await fetch(`${stack.apiUrl}/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(run) });
  expect(response.status).toBe(202);
  return run.run_id;
}

const judged = (runId: string) => waitFor(`run ${runId} to be judged`, async () => (await redis.exists(keys.decision(runId))) === 1);

describe('new-failure alerts', () => {
  test('one alert per new failure on main; none while it keeps failing; one more after a pass and a new failure', async () => {
    const run1 = await post('main', [{ nodeid: X, outcome: 'failed', message: X_MESSAGE }, { nodeid: Y, outcome: 'failed', message: 'ConnectionError: refused' }, { nodeid: Z, outcome: 'passed' }]);
    await waitFor('the first alert', () => smtp.messages.length >= 1);
    await judged(run1);
    const first = smtp.messages[0]!;
    expect(first.to).toEqual(['oncall@example.com']);
    expect(first.parts).toEqual(['text/plain', 'text/html']);
    expect(first.subject).toBe('[pytest-platform] demo@main: 2 new failures');
    for (const line of ['Project: demo', 'Branch:  main', 'Commit:  c0ffee1', 'Worker:  ci-runner-07', `Run:     ${run1}`, `- ${X}`, '  AssertionError: <script>alert(2)</script> & "quotes"', `- ${Y}`, '  ConnectionError: refused', 'CI run: https://ci.example.com/builds/42']) {
      expect(first.text).toContain(line);
    }
    expect(first.text).not.toContain('second line');
    expect(first.html).toContain(`href="${mcp.url}/reports/demo.html?branch=main"`);
    expect(first.html).toContain(`href="${mcp.url}/runs/${run1}"`);
    expect(first.text).toContain(`Run page: ${mcp.url}/runs/${run1}`);
    expect(first.text).toContain(`  ${mcp.url}/tests?project=demo&nodeid=${encodeURIComponent(Y)}`);

    const run2 = await post('main', [{ nodeid: X, outcome: 'failed', message: X_MESSAGE }, { nodeid: Y, outcome: 'passed' }, { nodeid: Z, outcome: 'passed' }]);
    await judged(run2);
    const elsewhere = await post('feature/x', [{ nodeid: Z, outcome: 'failed', message: 'boom' }]);
    const run3 = await post('main', [{ nodeid: X, outcome: 'passed' }, { nodeid: Y, outcome: 'passed' }, { nodeid: Z, outcome: 'passed' }]);
    await judged(run3);
    expect(await redis.exists(keys.decision(elsewhere))).toBe(0);
    expect(await redis.hkeys(keys.alerted('demo', 'main'))).toEqual([]);
    expect(smtp.messages).toHaveLength(1);

    const run4 = await post('main', [{ nodeid: X, outcome: 'failed', message: 'AssertionError: again' }, { nodeid: Y, outcome: 'passed' }]);
    await waitFor('the second alert', () => smtp.messages.length >= 2);
    await judged(run4);
    const second = smtp.messages[1]!;
    expect(second.subject).toBe(`[pytest-platform] demo@main: new failure ${X}`);
    expect(second.text).toContain(`Run:     ${run4}`);
    expect(second.text).not.toContain(Y);
    expect(await redis.hgetall(keys.alerted('demo', 'main'))).toEqual({ [X]: run4 });

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(smtp.messages).toHaveLength(2);
  });

  test('the alert renders in headless Chromium at 600 px with test text as text (docs/email-alert.png)', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 600, height: 800 } });
      await page.setContent(smtp.messages[0]!.html, { waitUntil: 'load' });
      expect(await page.locator('script, img').count()).toBe(0);
      expect(await page.locator('.nodeid', { hasText: 'test_ui.py' }).textContent()).toBe(X);
      expect(await page.locator('.msg', { hasText: 'quotes' }).textContent()).toBe('AssertionError: <script>alert(2)</script> & "quotes"');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(600);
      await page.screenshot({ path: screenshotPath('email-alert.png'), fullPage: true });
      await page.setViewportSize({ width: 375, height: 800 });
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    } finally {
      await browser.close();
    }
  });

  test("the alert's link to the failing run opens that run's page, and each test's link its page", async () => {
    const browser = await launchChromium();
    try {
      const alert = smtp.messages[0]!;
      const runId = /^Run: {5}(\S+)$/m.exec(alert.text)![1]!;
      const page = await browser.newPage();
      await page.setContent(alert.html, { waitUntil: 'load' });
      const button = page.getByRole('link', { name: 'Open the run' });
      const href = (await button.getAttribute('href'))!;
      expect(href).toBe(`${mcp.url}/runs/${runId}`);
      const opened = await page.goto(href, { waitUntil: 'load' });
      expect(opened?.status()).toBe(200);
      expect(await page.title()).toBe(`Run ${runId} of demo (failed) — pytest-platform`);
      expect(await page.locator('#failures code.nodeid').allTextContents()).toEqual(expect.arrayContaining([X, Y]));

      await page.setContent(alert.html, { waitUntil: 'load' });
      const testHref = (await page.getByRole('link', { name: X }).getAttribute('href'))!;
      expect((await page.goto(testHref, { waitUntil: 'load' }))?.status()).toBe(200);
      expect(await page.locator('h1 .nodeid').textContent()).toBe(X);
    } finally {
      await browser.close();
    }
  });

  test('names the quarantine changes of the project since its previous alert, escaped, and only once', async () => {
    const events = streamNames(stack.apiEnv.RESULTS_STREAM).events;
    const change = (nodeid: string, action: QuarantineChange['action'], by: QuarantineChange['by'], reason: string, project = 'demo'): QuarantineChange =>
      ({ project, nodeid, action, by, reason, at: new Date().toISOString(), expires_at: null });
    // As ingest announces them.
    await redis.xadd(events, '*', ...quarantineEventFields(change(X, 'quarantined', 'auto', 'flaky in 3 of the last 30 runs: <i>flipped</i> 3 times')));
    await redis.xadd(events, '*', ...quarantineEventFields(change(Y, 'released', 'api', 'fixed in #42')));
    await redis.xadd(events, '*', ...quarantineEventFields(change('tests/elsewhere.py::test_t', 'quarantined', 'api', 'another project', 'other')));
    await waitFor('the changes kept', async () => (await redis.llen(keys.quarantineChanges('demo'))) === 2);

    const count = smtp.messages.length;
    await post('main', [{ nodeid: 'tests/test_w.py::test_w1', outcome: 'failed', message: 'boom' }]);
    await waitFor('an alert', () => smtp.messages.length > count);
    const mail = smtp.messages.at(-1)!;
    const section = mail.text.split('Quarantine changes in demo')[1]!;
    expect(section).toContain(`- ${X}`);
    expect(section).toMatch(/quarantined automatically .+: flaky in 3 of the last 30 runs: <i>flipped<\/i> 3 times/);
    expect(section.indexOf(`- ${Y}`)).toBeGreaterThan(section.indexOf(`- ${X}`));
    expect(section).toMatch(/released through the API .+: fixed in #42/);
    expect(mail.text).not.toContain('another project');
    expect(mail.html).toContain('flaky in 3 of the last 30 runs: &lt;i&gt;flipped&lt;/i&gt; 3 times');
    expect(mail.html).not.toContain('<i>flipped');
    await waitFor('the named changes dropped', async () => (await redis.llen(keys.quarantineChanges('demo'))) === 0);

    await post('main', [{ nodeid: 'tests/test_w.py::test_w2', outcome: 'failed', message: 'bang' }]);
    await waitFor('the next alert', () => smtp.messages.length > count + 1);
    expect(smtp.messages.at(-1)!.text).not.toContain('Quarantine changes');
  });
});
