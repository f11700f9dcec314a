import { readFileSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunResultInput } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DigestData } from '../src/mail/digest-data.js';
import { renderAlertEmail } from '../src/mail/email-alert.js';
import { renderDigestEmail } from '../src/mail/email-digest.js';
import { makeRun } from '../../../test-support/runs.js';
import type { RunningService } from '../../../test-support/services.js';
import { startBrowserStack, stopBrowserStack } from './browser-stack.js';
import type { Stack } from './stack.js';

/** Classic XSS payloads, one a line; each sets `window.__xss`, calls alert() or loads something if it ever runs. */
const payloads = readFileSync(new URL('./fixtures/xss-payloads.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);
const halves = [payloads.slice(0, 28), payloads.slice(28)];

const nodeidOf = (payload: string, i: number) => `tests/test_xss.py::test_${i}[${payload}]`;

/** A run of `project` whose names, branch, commit, build, tags, messages and tracebacks are the payloads of `list`; failing, or (`passing`) a day earlier and green. */
const runOf = (project: string, list: string[], index: number, passing = false): RunResultInput & { run_id: string } =>
  makeRun({
    project,
    branch: list[(index + 2) % list.length]!,
    worker_id: list[index % list.length]!,
    commit: list[(index + 1) % list.length]!,
    build_id: list[(index + 3) % list.length]!,
    environment: { ci_url: 'javascript:window.__xss=1' },
    ...(passing ? { started_at: '2026-11-25T10:00:00.000Z', finished_at: '2026-11-25T10:00:12.500Z' } : {}),
    tests: list.map((payload, i) => ({
      nodeid: nodeidOf(payload, i),
      outcome: passing ? 'passed' : i % 5 === 4 ? 'error' : 'failed',
      duration: 0.01 * (i + 1),
      tags: [payload],
      ...(passing ? {} : {
        message: payload,
        longrepr: `Traceback (most recent call last):\n  ${payload}\nE   AssertionError: ${payload}`,
      }),
      file: 'tests/test_xss.py',
      line: i + 1,
    })),
  });

const seeded = halves.map((list, index) => [runOf(`xss${index}`, list, index, true), runOf(`xss${index}`, list, index)] as const);

let stack: Stack;
let mcp: { service: RunningService; url: string };
let browser: Browser;

beforeAll(async () => {
  ({ stack, mcp, browser } = await startBrowserStack({ runs: { xss0: [...seeded[0]!], xss1: [...seeded[1]!] } }));
}, 120_000);
afterAll(() => stopBrowserStack({ stack, mcp, browser }));

interface Observed {
  dialogs: string[];
  console: string[];
  errors: string[];
  requests: string[];
  flag: unknown;
  /** Elements or attributes that could run script: `<script>`, `on*` attributes, `javascript:` URLs, frames, objects. */
  active: string[];
  text: string;
}

const ACTIVE_ELEMENTS = 'script, iframe, object, embed, base, form, meta[http-equiv=refresh i], link[rel=stylesheet][href^="javascript" i], svg animate, svg set';

/** Loads `load` in a fresh page of `context`, waits a moment for timers and autofocus, and reports what happened. */
async function observe(context: BrowserContext, load: (page: Page) => Promise<void>): Promise<Observed> {
  const page = await context.newPage();
  const seen: Omit<Observed, 'flag' | 'active' | 'text'> = { dialogs: [], console: [], errors: [], requests: [] };
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => seen.console.push(message.text()));
  page.on('pageerror', (error) => seen.errors.push(error.message));
  page.on('request', (request) => seen.requests.push(request.url()));
  await load(page);
  // Open every <details> and hover/focus everything, so ontoggle/onfocus/onmouseover payloads get their chance.
  await page.evaluate(`for (const d of document.querySelectorAll('details')) d.open = true;
    for (const el of document.querySelectorAll('body *')) { el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); if (el.focus) el.focus(); }`);
  await page.waitForTimeout(300);
  const flag = await page.evaluate('window.__xss');
  const active = (await page.evaluate(`(() => {
    const found = [];
    for (const el of document.querySelectorAll(${JSON.stringify(ACTIVE_ELEMENTS)})) found.push('<' + el.tagName.toLowerCase() + '>');
    for (const el of document.querySelectorAll('*')) for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push(el.tagName.toLowerCase() + ' ' + attr.name);
      if (/^\\s*(javascript|data|vbscript):/i.test(attr.value) && attr.name !== 'content') found.push(el.tagName.toLowerCase() + ' ' + attr.name + '=' + attr.value);
    }
    return found;
  })()`)) as string[];
  const text = (await page.evaluate('document.documentElement.textContent')) as string;
  await page.close();
  return { ...seen, flag, active, text };
}

function expectInert(observed: Observed, shown: string[], active: string[] = []): void {
  expect(observed.flag).toBeUndefined();
  expect(observed.dialogs).toEqual([]);
  expect(observed.errors).toEqual([]);
  // A 404 page logs its own status; the requests checks show it is the page itself.
  expect(observed.console.filter((line) => !/Content Security Policy|^Failed to load resource: the server responded with a status of 404/.test(line))).toEqual([]);
  expect(observed.active).toEqual(active);
  for (const payload of shown) expect(observed.text, payload).toContain(payload);
}

describe(`${payloads.length} XSS payloads as test names, messages and tracebacks render as text in headless Chromium`, () => {
  test('the HTML report served at /reports/{project}.html, with its CSP and with the CSP bypassed', async () => {
    expect(payloads.length).toBeGreaterThanOrEqual(50);
    for (const [index, list] of halves.entries()) {
      const url = `${mcp.url}/reports/xss${index}.html`;
      const withCsp = await browser.newContext();
      const served = await observe(withCsp, async (page) => {
        const response = await page.goto(url, { waitUntil: 'load' });
        expect(response?.status()).toBe(200);
        expect(response?.headers()['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      });
      await withCsp.close();
      expectInert(served, list);
      expect(served.requests).toEqual([url]);

      // Without the CSP, only the escaping stands between a payload and the page.
      const html = await (await fetch(url)).text();
      const bare = await browser.newContext({ bypassCSP: true });
      const escaped = await observe(bare, (page) => page.setContent(html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''), { waitUntil: 'load' }));
      await bare.close();
      expectInert(escaped, list);
      expect(escaped.requests.filter((request) => !request.startsWith('data:'))).toEqual([]);
    }
  });

  test('every page (/, project, run, compare, build, test, flaky, workers, 404), with its CSP and with the CSP bypassed', async () => {
    for (const [index, list] of halves.entries()) {
      const [base, head] = seeded[index]!;
      const project = `xss${index}`;
      const p = encodeURIComponent(project);
      // [path, payloads that must show as text, active elements the page has by design]
      const pages: [string, string[], string[]][] = [
        ['/', [head.branch!, head.commit!], []],
        [`/projects/${p}`, list, []],
        [`/runs/${head.run_id}`, list, ['<form>']],
        [`/runs/${head.run_id}?tag=${encodeURIComponent(list[3]!)}&q=${encodeURIComponent(list[3]!)}`, [list[3]!], ['<form>']],
        [`/compare?base=${base.run_id}&head=${head.run_id}`, list.filter((_, i) => i < 100), []],
        [`/builds/${encodeURIComponent(head.build_id!)}?project=${p}`, [head.build_id!, head.worker_id!, head.commit!], []],
        [`/tests?project=${p}&nodeid=${encodeURIComponent(nodeidOf(list[0]!, 0))}`, [nodeidOf(list[0]!, 0), list[0]!, head.worker_id!], []],
        [`/flaky?project=${p}`, [], []],
        ['/workers', [head.worker_id!, head.branch!], []],
        [`/runs/${encodeURIComponent(list[5]!)}`, [], []],
      ];
      for (const [path, shown, active] of pages) {
        const url = `${mcp.url}${path}`;
        const withCsp = await browser.newContext();
        const served = await observe(withCsp, async (page) => {
          const response = await page.goto(url, { waitUntil: 'load' });
          expect([200, 404], path).toContain(response?.status());
          expect(response?.headers()['content-security-policy'], path).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
        });
        await withCsp.close();
        expectInert(served, shown, active);
        expect(served.requests.map(decodeURIComponent), path).toEqual([decodeURIComponent(url)]);

        const html = await (await fetch(url)).text();
        const bare = await browser.newContext({ bypassCSP: true });
        const escaped = await observe(bare, (page) => page.setContent(html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''), { waitUntil: 'load' }));
        await bare.close();
        expectInert(escaped, shown, active);
        expect(escaped.requests.filter((request) => !request.startsWith('data:')), path).toEqual([]);
      }
    }
  }, 600_000);

  test('the new-failure alert and the digest e-mails (no CSP in mail clients: escaping alone)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    // Control: the same observation does see a payload that is not escaped.
    const control = await observe(context, (page) => page.setContent(`<p>${payloads[6]}</p><details open ontoggle="alert(1)"></details>`, { waitUntil: 'load' }));
    expect(control.flag).toBe(1);
    expect(control.dialogs).toEqual(['1']);
    for (const list of halves) {
      const alert = await renderAlertEmail({
        project: list[0]!,
        branch: list[1]!,
        commit: list[2]!,
        worker_id: list[3]!,
        run_id: 'run-1',
        started_at: '2026-11-26T10:00:00.000Z',
        ci_url: 'javascript:window.__xss=1',
        tests: list.map((payload, i) => ({ nodeid: `tests/test_xss.py::test_${i}[${payload}]`, outcome: 'failed', message: payload })),
        publicUrl: 'https://tests.example.com',
        quarantine: list.map((payload, i) => ({
          project: list[0]!, nodeid: `tests/test_q.py::test_${i}[${payload}]`, action: 'quarantined', by: 'auto', reason: payload, at: '2026-11-26T10:00:00.000Z', expires_at: null,
        })),
      });
      const observedAlert = await observe(context, (page) => page.setContent(alert.html, { waitUntil: 'load' }));
      expectInert(observedAlert, list);
      expect(alert.html).not.toContain('Open the CI run');

      const stat = (payload: string, i: number) => ({
        nodeid: `tests/test_xss.py::test_${i}[${payload}]`, project: 'xss', failures: i + 1, runs: 60, failure_rate: (i + 1) / 60,
        last_failed_at: '2026-11-26T10:00:00.000Z', last_message: payload,
      });
      const period = { runs: 3, passed: 10, failed: 5, errors: 1, skipped: 0, passRate: 10 / 16 };
      const digest: DigestData = {
        project: list[0]!,
        generatedAt: '2026-11-27T08:00:00.000Z',
        since: '2026-11-26T08:00:00.000Z',
        until: '2026-11-27T08:00:00.000Z',
        days: 1,
        current: period,
        previous: period,
        passRateChange: 0,
        trend: list.slice(0, 14).map((payload, i) => ({
          run_id: payload, started_at: '2026-11-26T10:00:00.000Z', pass_rate: i / 14, total: 10, passed: i, failed: 10 - i, errors: 0, skipped: 0, duration: 1,
        })),
        newFailures: list.map(stat),
        topFailures: list.map(stat),
        offlineWorkers: list.map((payload) => ({
          worker_id: payload, status: 'offline', last_seen: '2026-11-26T10:00:00.000Z', last_run_id: payload, project: 'xss', branch: payload, runs_24h: 1, pass_rate_24h: null,
        })),
        publicUrl: 'https://tests.example.com',
        quarantine: list.map((payload, i) => ({
          nodeid: `tests/test_q.py::test_${i}[${payload}]`, reason: payload, since: '2026-11-26T10:00:00.000Z', expires_at: null, by: 'api',
        })),
        quarantineChanges: list.map((payload, i) => ({
          project: list[0]!, nodeid: `tests/test_q.py::test_${i}[${payload}]`, action: 'released', by: 'api', reason: payload, at: '2026-11-26T10:00:00.000Z', expires_at: null,
        })),
      };
      const email = await renderDigestEmail(digest);
      const observedDigest = await observe(context, (page) => page.setContent(email.html, { waitUntil: 'load' }));
      expectInert(observedDigest, list);
    }
    await context.close();
  });
});
