import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../../../test-support/chromium.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FailureStatsSchema, RunPageSchema, TrendSchema, type Run } from '@pytest-platform/schema';
import { compileMjml, MjmlValidationError } from '../src/mail/mjml.js';
import { formatChange } from '../src/mail/email-digest.js';
import { formatPercent } from '../src/render/format.js';
import { makeRun } from '../../../test-support/runs.js';
import { REDIS_URL, repoRoot } from '../../../test-support/services.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import { startStack, type Stack } from './stack.js';
import { screenshotPath } from '../../../test-support/screenshots.js';

const HOUR = 3_600_000;
export const HTML_NODEID = 'tests/test_ui.py::test_<b>bold</b>[<img src=x onerror=alert(1)>]';
const HTML_MESSAGE = 'AssertionError: </td></tr></table><script>alert(2)</script> & "quotes"';

function shopRuns() {
  const at = (hoursAgo: number) => ({
    started_at: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
    finished_at: new Date(Date.now() - hoursAgo * HOUR + 30_000).toISOString(),
    duration: 30,
  });
  const ok = (n: string) => ({ nodeid: `tests/test_shop.py::test_${n}`, outcome: 'passed' as const, duration: 0.1 });
  const bad = (n: string, message: string) => ({ nodeid: n, outcome: 'failed' as const, duration: 0.2, message });
  return [
    makeRun({ project: 'shop', ...at(40), tests: [ok('cart'), ok('pay'), bad('tests/test_shop.py::test_refund', 'AssertionError: refund')] }),
    makeRun({ project: 'shop', ...at(30), tests: [ok('cart'), ok('pay'), ok('refund')] }),
    makeRun({ project: 'shop', ...at(10), worker_id: 'ci-runner-02', tests: [ok('cart'), ok('pay'), bad('tests/test_shop.py::test_refund', 'AssertionError: refund again'), { nodeid: 'tests/test_shop.py::test_later', outcome: 'skipped' }] }),
    makeRun({ project: 'shop', ...at(6), tests: [ok('cart'), bad('tests/test_shop.py::test_pay', 'TimeoutError: gateway'), ok('refund')] }),
    makeRun({ project: 'shop', ...at(2), commit: 'f00ba47', tests: [ok('cart'), ok('pay'), ok('refund'), bad(HTML_NODEID, HTML_MESSAGE)] }),
  ];
}

let stack: Stack;
let smtp: TestSmtp;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'mcp-digest-'));

beforeAll(async () => {
  [stack, smtp, browser] = await Promise.all([
    startStack({ runs: { shop: shopRuns() } }),
    startSmtp(),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await smtp?.stop();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runCli(command: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, command, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const digestCli = ['--import', 'tsx', '--conditions=@pytest-platform/source', 'services/mcp/src/mail/digest-cli.ts', 'digest'];

async function apiGet<T>(path: string, schema: { parse(v: unknown): T }): Promise<T> {
  return schema.parse(await (await fetch(stack.apiUrl + path)).json());
}

function sums(runs: Run[]) {
  const t = { runs: runs.length, passed: 0, failed: 0, errors: 0, skipped: 0 };
  for (const r of runs) {
    t.passed += r.summary.passed;
    t.failed += r.summary.failed;
    t.errors += r.summary.errors;
    t.skipped += r.summary.skipped;
  }
  return { ...t, rate: t.passed / (t.passed + t.failed + t.errors) };
}

describe('digest --send-now', () => {
  test('delivers one message per recipient with HTML and text parts, with the numbers the API reports', async () => {
    const env = {
      API_URL: stack.apiUrl, REDIS_URL, SMTP_URL: smtp.url, DIGEST_TO: 'lead@example.com, team@example.com',
      QUEUE_PREFIX: `mail-test:${randomUUID()}`, PUBLIC_URL: 'https://tests.example.com', MAIL_FROM: 'Tests <tests@example.com>',
    };
    const result = await runCli([...digestCli, '--send-now', '--project', 'shop'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 digest message(s) sent for shop');

    expect(smtp.messages.map((m) => m.to)).toEqual(expect.arrayContaining([['lead@example.com'], ['team@example.com']]));
    expect(smtp.messages).toHaveLength(2);
    for (const mail of smtp.messages) {
      expect(mail.from).toBe('tests@example.com');
      expect(mail.headers.get('content-type')).toMatch(/^multipart\/alternative/);
      expect(mail.parts).toEqual(['text/plain', 'text/html']);
    }
    const mail = smtp.messages[0]!;

    const now = Date.now();
    const day = 24 * HOUR;
    const current = sums((await apiGet(`/results?project=shop&since=${new Date(now - day).toISOString()}`, RunPageSchema)).items);
    const previous = sums((await apiGet(`/results?project=shop&since=${new Date(now - 2 * day).toISOString()}&until=${new Date(now - day).toISOString()}`, RunPageSchema)).items);
    expect(current.runs).toBe(3);
    expect(previous.runs).toBe(2);
    expect(mail.text).toContain(`Runs: ${current.runs} (${previous.runs} in the period before)`);
    expect(mail.text).toContain(`Pass rate: ${formatPercent(current.rate)} (${formatChange(current.rate - previous.rate)})`);
    expect(mail.text).toContain(`Tests passed: ${current.passed}, failed: ${current.failed}, errors: ${current.errors}, skipped: ${current.skipped}`);
    expect(mail.subject).toBe(`[pytest-platform] shop: ${formatPercent(current.rate)} pass rate, 3 runs, 2 new failures`);

    // The digest's windows are the last 24 hours and the 48 hours, whatever the time of day.
    const stats1 = (await apiGet(`/failures/stats?project=shop&since=${new Date(now - day).toISOString()}`, FailureStatsSchema)).items;
    const stats2 = new Map((await apiGet(`/failures/stats?project=shop&since=${new Date(now - 2 * day).toISOString()}`, FailureStatsSchema)).items.map((s) => [s.nodeid, s.failures]));
    const fresh = stats1.filter((s) => stats2.get(s.nodeid) === s.failures).map((s) => s.nodeid).sort();
    expect(fresh).toEqual([HTML_NODEID, 'tests/test_shop.py::test_pay'].sort());
    const newSection = mail.text.split('New failures (2)')[1]!.split('Most frequent failures')[0]!;
    for (const nodeid of fresh) expect(newSection).toContain(`- ${nodeid}`);
    expect(newSection).not.toContain('test_refund');
    const frequent = mail.text.split('Most frequent failures')[1]!;
    for (const s of stats1) expect(frequent).toContain(`- ${s.nodeid}: failed ${s.failures} of ${s.runs} runs (${formatPercent(s.failure_rate)})`);

    const trend = await apiGet('/trend?project=shop&limit=14', TrendSchema);
    expect(mail.text).toContain(`Pass rate, last ${trend.points.length} runs`);
    expect(mail.text).toContain('HTML report: https://tests.example.com/reports/shop.html');

    expect(mail.html).toContain(formatPercent(current.rate));
    expect(mail.html).toContain('href="https://tests.example.com/reports/shop.html"');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('fonts.googleapis');
  });

  test('is rendered in headless Chromium at 600 px and on a phone, test text shown as text (docs/email-digest.png)', async () => {
    const mail = smtp.messages[0]!;
    const page = await browser.newPage({ viewport: { width: 600, height: 900 } });
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.setContent(mail.html, { waitUntil: 'load' });
    expect(await page.locator('script, img').count()).toBe(0);
    expect(await page.locator('.nodeid', { hasText: 'test_ui.py' }).first().textContent()).toBe(HTML_NODEID);
    expect(await page.locator('.msg', { hasText: 'quotes' }).first().textContent()).toBe(HTML_MESSAGE);
    const trend = await apiGet('/trend?project=shop&limit=14', TrendSchema);
    expect(await page.locator('td[bgcolor="#1a7f37"], td[bgcolor="#bf8700"], td[bgcolor="#cf222e"]').count()).toBe(trend.points.filter((p) => (p.pass_rate ?? 0) > 0).length);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(600);
    mkdirSync(join(repoRoot, 'docs'), { recursive: true });
    await page.screenshot({ path: screenshotPath('email-digest.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  test('MJML is compiled with strict validation: an invalid template is refused', async () => {
    await expect(compileMjml('<mjml><mj-body><mj-section><mj-text>not in a column</mj-text></mj-section></mj-body></mjml>')).rejects.toBeInstanceOf(MjmlValidationError);
    await expect(compileMjml('<mjml><mj-body><mj-section><mj-column><mj-text colour="red">x</mj-text></mj-column></mj-section></mj-body></mjml>')).rejects.toThrow(/colour/);
  });

  test('--preview writes HTML and text without sending, and pytest-platform digest delegates to pytest-platform-mcp', async () => {
    const before = smtp.messages.length;
    const out = join(dir, 'preview.html');
    const env = { API_URL: stack.apiUrl, REDIS_URL: 'redis://127.0.0.1:1', SMTP_URL: smtp.url };
    const preview = await runCli([...digestCli, '--preview', out], env);
    expect(preview.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('<!doctype html>');
    expect(readFileSync(join(dir, 'preview.txt'), 'utf8')).toContain('pytest-platform digest: shop');

    const usage = await runCli([...digestCli, '--send-now', '--preview', out], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('exactly one of --send-now and --preview');
    const badEnv = await runCli([...digestCli, '--send-now'], { ...env, DIGEST_TO: 'not-an-address' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('DIGEST_TO');

    const built = ['shared/reporter/dist/cli.js', 'services/mcp/dist/digest-cli.js'].every((f) => existsSync(join(repoRoot, f)));
    if (built) {
      const viaReporter = join(dir, 'via-reporter.html');
      const delegated = await runCli(['shared/reporter/bin/pytest-platform.js', 'digest', '--preview', viaReporter, '--project', 'shop'], env);
      expect(delegated.stderr).toBe('');
      expect(delegated.code).toBe(0);
      expect(readFileSync(viaReporter, 'utf8')).toContain('shop');
    }
    expect(smtp.messages.length).toBe(before);
  });
});

describe('the digest and the quarantine', () => {
  test('lists the quarantined tests (who, since, until, why) and the quarantines and releases of the period, escaped', async () => {
    const quarantine = (method: string, body: Record<string, unknown> | null, query = '') =>
      fetch(`${stack.apiUrl}/quarantine${query}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const until = new Date(Date.now() + 7 * 24 * HOUR).toISOString();
    const reason = 'times out on <b>CI</b> & "retries"';
    expect((await quarantine('PUT', { project: 'shop', nodeid: HTML_NODEID, reason, expires_at: until })).status).toBe(200);
    expect((await quarantine('PUT', { project: 'shop', nodeid: 'tests/test_shop.py::test_pay', reason: 'gateway' })).status).toBe(200);
    expect((await quarantine('DELETE', null, '?project=shop&nodeid=tests%2Ftest_shop.py%3A%3Atest_pay&reason=gateway+fixed')).status).toBe(200);

    const before = smtp.messages.length;
    const env = { API_URL: stack.apiUrl, REDIS_URL, SMTP_URL: smtp.url, DIGEST_TO: 'quarantine@example.com', QUEUE_PREFIX: `mail-test:${randomUUID()}` };
    const result = await runCli([...digestCli, '--send-now', '--project', 'shop'], env);
    expect(result.code).toBe(0);
    expect(smtp.messages).toHaveLength(before + 1);
    const mail = smtp.messages.at(-1)!;
    const section = mail.text.split('Quarantined tests (1)')[1]!;
    expect(section).toContain(`- ${HTML_NODEID}`);
    expect(section).toMatch(new RegExp(`since .+, through the API, until .+: times out on <b>CI</b> & "retries"`));
    const changes = mail.text.split('Quarantine changes in this period')[1]!;
    expect(changes.indexOf('- tests/test_shop.py::test_pay')).toBeGreaterThan(changes.indexOf(`- ${HTML_NODEID}`));
    expect(changes).toMatch(/released through the API .+: gateway fixed/);
    expect(mail.html).toContain('times out on &lt;b&gt;CI&lt;/b&gt; &amp; &quot;retries&quot;');
    expect(mail.html).not.toContain('<b>CI</b>');
    expect(mail.html).not.toContain('<img');
  });
});
