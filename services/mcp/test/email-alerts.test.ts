import { randomUUID } from 'node:crypto';
import { createRedisClient } from '@pytest-platform/redis';
import type { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
let mcp: { service: RunningService };
let redis: Redis;
const prefix = `mail-test:${randomUUID()}`;
const keys = mailKeys(prefix);

beforeAll(async () => {
  [stack, smtp] = await Promise.all([startStack({ runs: {} }), startSmtp()]);
  redis = createRedisClient(REDIS_URL);
  mcp = await startMcpHttp({
    API_URL: stack.apiUrl, REDIS_URL, RESULTS_STREAM: stack.apiEnv.RESULTS_STREAM ?? '', QUEUE_PREFIX: prefix,
    SMTP_URL: smtp.url, ALERT_TO: 'oncall@example.com', MAIL_BACKOFF_MS: '200', PUBLIC_URL: 'https://tests.example.com',
  });
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
    expect(first.html).toContain('href="https://tests.example.com/reports/demo.html?branch=main"');

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
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
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
});
