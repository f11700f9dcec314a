import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../../../test-support/chromium.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { reportViewHtml } from '../src/app-view.js';
import { waitFor } from '../../../test-support/wait-for.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

/** A report whose every part tries to run script: each would set `top.__xss` or open a dialog. */
const HOSTILE_REPORT = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src *; script-src 'unsafe-inline'">
<script>top.__xss = 'script'; alert('script')</script></head><body>
<h1 id="title">Hostile report</h1>
<img id="img" src=x onerror="top.__xss = 'img'; alert('img')">
<svg id="svg" onload="top.__xss = 'svg'"><a href="javascript:top.__xss = 'svg-link'"><text y="20">svg link</text></a></svg>
<a id="link" href="javascript:top.__xss = 'link'">click me</a>
<a id="data" href="data:text/html,<script>top.__xss = 'data'</script>">data link</a>
<iframe srcdoc="<script>top.__xss = 'iframe'</script>"></iframe>
<object data="javascript:top.__xss = 'object'"></object>
<details id="details" ontoggle="top.__xss = 'toggle'" open><summary onmouseover="top.__xss = 'hover'">more</summary>text</details>
<form action="javascript:top.__xss = 'form'"><button id="submit" formaction="javascript:top.__xss = 'formaction'">go</button></form>
<div id="focus" tabindex="0" onfocus="top.__xss = 'focus'" style="background:url(javascript:top.__xss='css')">focus me</div>
<p id="text">&lt;img src=x onerror=alert(1)&gt; stays text</p>
</body></html>`;

/** A host page with the view in `#view`; the host answers `ui/initialize` and, once initialized, posts `window.hostResult`. */
async function openHost(): Promise<{ page: Page; dialogs: string[] }> {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.setContent(`<!doctype html><body><iframe id="view" style="width:900px;height:700px"></iframe><iframe id="sibling"></iframe><script>
    const view = document.getElementById('view');
    window.hostLog = [];
    window.sendResult = (result) => view.contentWindow.postMessage({ jsonrpc: '2.0', method: 'ui/notifications/tool-result', params: result }, '*');
    window.addEventListener('message', (event) => {
      const msg = event.data;
      if (!msg || event.source !== view.contentWindow) return;
      window.hostLog.push(msg.method || 'response');
      if (msg.method === 'ui/initialize') {
        view.contentWindow.postMessage({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params.protocolVersion, hostInfo: { name: 'test-host', version: '1' }, hostCapabilities: {}, hostContext: {} } }, '*');
      }
    });
  </script></body>`);
  await page.evaluate(`document.getElementById('view').srcdoc = ${JSON.stringify(reportViewHtml)}`);
  await waitFor('the view to finish its handshake', async () => ((await page.evaluate('window.hostLog')) as string[]).includes('ui/notifications/initialized'));
  return { page, dialogs };
}

/** Records, inside the view, every text its status line shows and every report it loads. */
const recordViewChanges = `(() => {
  window.__shown = [];
  const status = document.getElementById('status');
  const frame = document.getElementById('report');
  new MutationObserver(() => window.__shown.push('status:' + status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
  new MutationObserver(() => window.__shown.push('report:' + (frame.getAttribute('srcdoc') || '').length)).observe(frame, { attributes: true, attributeFilter: ['srcdoc'] });
})()`;

describe('the MCP Apps view (ui://pytest-platform/report.html) in headless Chromium', () => {
  test('ignores tool results from any window but its host: a frame inside the view, a sibling frame of the host', async () => {
    const { page, dialogs } = await openHost();
    const viewFrame = (await (await page.$('#view'))!.contentFrame())!;
    expect(viewFrame).toBeTruthy();
    await viewFrame.evaluate(recordViewChanges);
    const forged = (who: string) => JSON.stringify({
      jsonrpc: '2.0', method: 'ui/notifications/tool-result',
      params: { isError: true, content: [{ type: 'text', text: `FORGED by ${who}` }] },
    });
    // A child frame of the view posts to its parent (the view), then tells the host it did.
    await viewFrame.evaluate(`(() => {
      const child = document.createElement('iframe');
      child.srcdoc = ${JSON.stringify(`<script>parent.postMessage(${forged('a child frame')}, '*'); top.childPosted = true;</script>`)};
      document.body.appendChild(child);
    })()`);
    await waitFor('the child frame to post', async () => (await page.evaluate('window.childPosted')) === true);
    // A sibling frame of the host posts straight to the view.
    await page.evaluate(`(() => {
      const sibling = document.getElementById('sibling');
      sibling.srcdoc = ${JSON.stringify(`<script>top.document.getElementById('view').contentWindow.postMessage(${forged('a sibling frame')}, '*'); top.siblingPosted = true;</script>`)};
    })()`);
    await waitFor('the sibling frame to post', async () => (await page.evaluate('window.siblingPosted')) === true);
    // Posted after both forgeries, so the view has handled them by the time it shows this.
    await page.evaluate(`window.sendResult({ isError: true, content: [{ type: 'text', text: 'from the host' }] })`);
    await waitFor('the host result shown', async () => (await viewFrame.textContent('#status')) === 'from the host');

    const shown = (await viewFrame.evaluate('window.__shown')) as string[];
    expect(shown.filter((s) => s.includes('FORGED'))).toEqual([]);
    expect(shown).toContain('status:from the host');
    expect(dialogs).toEqual([]);
    await page.close();
  });

  test('a host result with a hostile report runs nothing: no script, handler or javascript: URL survives, the report frame is sandboxed', async () => {
    const { page, dialogs } = await openHost();
    await page.evaluate(`window.sendResult({ content: [{ type: 'text', text: ${JSON.stringify(HOSTILE_REPORT)} }] })`);
    const report = page.frameLocator('#view').frameLocator('#report');
    await report.locator('#title').waitFor({ timeout: 10_000 });
    expect(await report.locator('#text').textContent()).toBe('<img src=x onerror=alert(1)> stays text');

    await report.locator('#focus').focus();
    await report.locator('#details summary').hover();
    await report.locator('#details summary').click();
    await report.locator('#link').click();

    const viewFrame = (await (await page.$('#view'))!.contentFrame())!;
    expect(await viewFrame.getAttribute('#report', 'sandbox')).toBe('allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    const reportFrame = (await viewFrame.$('#report').then((handle) => handle!.contentFrame()))!;
    const dom = (await reportFrame.evaluate(`(() => {
      const all = Array.from(document.querySelectorAll('*'));
      return {
        scripts: document.querySelectorAll('script, iframe, object, embed, form').length,
        handlers: all.flatMap((el) => Array.from(el.attributes).map((a) => a.name)).filter((name) => name.toLowerCase().startsWith('on')),
        scriptUrls: all.flatMap((el) => Array.from(el.attributes).map((a) => a.value)).filter((value) => /^\\s*(javascript|data):/i.test(value)),
        policy: document.querySelector('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'),
        policies: document.querySelectorAll('meta[http-equiv]').length,
      };
    })()`)) as { scripts: number; handlers: string[]; scriptUrls: string[]; policy: string; policies: number };
    expect(dom).toEqual({ scripts: 0, handlers: [], scriptUrls: [], policy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:", policies: 1 });
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await viewFrame.evaluate('window.__xss')).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.close();
  });

  test('an error result is shown as text, markup and all', async () => {
    const { page, dialogs } = await openHost();
    const text = '<img src=x onerror="top.__xss = 1"> Unknown project "<b>x</b>"';
    await page.evaluate(`window.sendResult({ isError: true, content: [{ type: 'text', text: ${JSON.stringify(text)} }] })`);
    const viewFrame = (await (await page.$('#view'))!.contentFrame())!;
    await waitFor('the error shown', async () => (await viewFrame.textContent('#status')) === text);
    expect(await viewFrame.$$eval('#status *', (elements) => elements.length)).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
