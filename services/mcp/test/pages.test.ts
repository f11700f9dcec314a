import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../../../test-support/services.js';
import { connectStdio } from './client.js';
import { startMcpHttp } from './http-server.js';
import { CI_URL, FAILING, FLIP, MANY_FAILURES, RETRIED, pageRuns } from './page-runs.js';
import { startStack, type Stack } from './stack.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

let stack: Stack;
let mcp: { service: RunningService; url: string; port: number };
let shop: ReturnType<typeof pageRuns>['shop'];

beforeAll(async () => {
  const runs = pageRuns();
  shop = runs.shop;
  stack = await startStack({ runs });
  mcp = await startMcpHttp({ API_URL: stack.apiUrl });
}, 120_000);
afterAll(async () => {
  await mcp?.service.stop();
  await stack?.stop();
});

const newest = () => shop[2]!;
const older = () => shop[1]!;

async function page(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; html: string }> {
  const response = await fetch(`${mcp.url}${path}`, init);
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** The hrefs of a page's links, decoded the way a browser resolves them. */
const hrefs = (html: string) => [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
const q = encodeURIComponent;

describe('pages of the MCP HTTP service', () => {
  test('every page type answers 200 HTML with the report CSP, no script, and a title that says what it is', async () => {
    const run = newest();
    const pages: [string, RegExp][] = [
      ['/', /^Projects — pytest-platform$/],
      ['/projects/shop', /^shop — test report$/],
      [`/runs/${run.run_id}`, new RegExp(`^Run ${run.run_id} of shop \\(failed\\) — pytest-platform$`)],
      [`/compare?base=${older().run_id}&head=${run.run_id}`, /^Compare .* → .* \(shop\) — pytest-platform$/],
      [`/builds/pipeline-7?project=shop`, /^Build pipeline-7 of shop \(failed\) — pytest-platform$/],
      [`/tests?project=shop&nodeid=${q(FLIP)}`, /^Test tests\/test_checkout\.py::test_pay.* of shop — pytest-platform$/],
      ['/flaky?project=shop', /^Flaky tests of shop — pytest-platform$/],
      ['/flaky', /^Flaky tests — pytest-platform$/],
      ['/workers', /^Workers — pytest-platform$/],
    ];
    for (const [path, expected] of pages) {
      const { status, headers, html } = await page(path);
      expect(status, path).toBe(200);
      expect(headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(headers.get('content-security-policy'), path).toBe(CSP);
      expect(html, path).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
      expect(html, path).not.toMatch(/<script|<link |<img|<iframe|@import|url\(/i);
      expect(title(html), path).toMatch(expected);
      expect(html, path).toContain('@media (prefers-color-scheme: dark)');
      expect(html, path).toContain(':focus-visible');
      const head = await fetch(`${mcp.url}${path}`, { method: 'HEAD' });
      expect([head.status, await head.text()], path).toEqual([200, '']);
    }
  });

  test('/ lists each project with its last run, pass rate and trend, linked', async () => {
    const { html } = await page('/');
    const links = hrefs(html);
    expect(links).toEqual(expect.arrayContaining(['/projects/shop', '/projects/docs', `/runs/${newest().run_id}`, '/flaky?project=shop', '/projects/docs?branch=gh-pages']));
    expect(html).toContain('<svg class="spark"');
    expect(html).toContain('aria-label="Pass rate of the last 3 runs');
    expect(html).toMatch(/<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time> <span class="age">\(2 h ago\)<\/span>/);
  });

  test('a run page: header with its CI link, build, worker and commit, the previous run and a compare link', async () => {
    const run = newest();
    const { html } = await page(`/runs/${run.run_id}`);
    const links = hrefs(html);
    expect(links).toEqual(expect.arrayContaining([
      '/projects/shop', '/projects/shop?branch=main', CI_URL, '/builds/pipeline-7?project=shop', `/runs/${older().run_id}`,
      `/compare?base=${older().run_id}&head=${run.run_id}`,
    ]));
    // The commit leads to the CI run when there is one, else to the branch's runs.
    expect(html).toContain(`<a href="${CI_URL}"><code>ccc3333</code></a>`);
    expect(html).toContain('<a href="/projects/shop?branch=main"><code>bbb2222</code></a>');
    expect(links.some((href) => href.startsWith('/workers#worker-'))).toBe(true);
    expect(html).toContain('Compare with the previous run');
    expect(html).toMatch(/<span class="value">\d+<\/span><span class="label">failed<\/span>/);
  });

  test('a run page shows its failures 50 a page, new first, tracebacks folded; the pages lead through all of them', async () => {
    const run = newest();
    const seen: string[] = [];
    const quarantined: string[] = [];
    let path: string | undefined = `/runs/${run.run_id}`;
    let pages = 0;
    while (path) {
      const { status, html } = await page(path);
      expect(status, path).toBe(200);
      const section = /<section id="failures">[\s\S]*?<\/section>/.exec(html)![0];
      const items = [...section.matchAll(/<article class="failure-item">[\s\S]*?<\/article>/g)].map((m) => m[0]);
      expect(items.length).toBeLessThanOrEqual(50);
      for (const item of items) {
        expect(item).toMatch(/<span class="badge new">new<\/span>/);
        expect(item).toMatch(/<details><summary>Traceback<\/summary><pre class="traceback">def test_total/);
        seen.push(/<code class="nodeid">([^<]*)<\/code>/.exec(item)![1]!);
        if (item.includes('<span class="badge quarantined">quarantined</span>')) quarantined.push(seen.at(-1)!);
      }
      expect(section).toContain(`of ${MANY_FAILURES}</span>`);
      pages += 1;
      const next = /<a href="([^"]*)">next page<\/a>/.exec(section)?.[1]?.replaceAll('&amp;', '&');
      path = next;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(MANY_FAILURES);
    expect(seen).toContain(FAILING(0));
    expect(seen).toContain(FAILING(MANY_FAILURES - 1));
    // The failure whose test was quarantined when it ran carries the mark; no other does.
    expect(quarantined).toEqual([FAILING(1)]);
  });

  test('a run page filters its tests by outcome, tag and text, and pages them', async () => {
    const run = newest();
    const rows = (html: string) => [...(/<section id="tests">[\s\S]*?<\/section>/.exec(html)![0]).matchAll(/<tr>\n<td><a href="[^"]*"><code class="nodeid">([^<]*)<\/code>/g)].map((m) => m[1]!);
    const all = await page(`/runs/${run.run_id}`);
    expect(all.html).toContain('<form class="filters" method="get"');
    expect(rows(all.html)).toHaveLength(100);
    expect(all.html).toMatch(/tests 1–100 of 1\d\d/);
    const second = await page(`/runs/${run.run_id}?page=2`);
    expect(rows(second.html).length).toBeGreaterThan(0);
    expect(rows(second.html)).not.toContain(rows(all.html)[0]);

    const passed = rows((await page(`/runs/${run.run_id}?outcome=passed`)).html);
    expect(passed).toHaveLength(32);
    expect(passed).toEqual(expect.arrayContaining([FLIP, RETRIED]));
    expect(rows((await page(`/runs/${run.run_id}?outcome=skipped`)).html)).toEqual(['tests/test_catalog.py::test_later']);
    const slow = rows((await page(`/runs/${run.run_id}?tag=slow`)).html);
    expect(slow).toHaveLength(10);
    expect(slow.every((nodeid) => nodeid.startsWith('tests/test_catalog.py::test_item_'))).toBe(true);
    const text = await page(`/runs/${run.run_id}?q=${q('case-11')}`);
    expect(rows(text.html)).toEqual(Array.from({ length: 10 }, (_, i) => FAILING(110 + i)));
    expect(text.html).toContain('value="case-11"');
    const byMessage = rows((await page(`/runs/${run.run_id}?q=${q('total 5 != 6')}`)).html);
    expect(byMessage).toEqual([FAILING(5)]);
    expect(rows((await page(`/runs/${run.run_id}?outcome=xpassed`)).html)).toEqual([]);
  });

  test('a test page: an outcome strip of its runs, its durations, messages, flaky evidence and quarantine state', async () => {
    const { html } = await page(`/tests?project=shop&nodeid=${q(FLIP)}`);
    const strip = /<div class="strip">([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect([...strip.matchAll(/<a class="(\w+)" href="\/runs\/([^"]+)"/g)].map((m) => [m[1], m[2]])).toEqual([
      ['passed', shop[0]!.run_id], ['failed', older().run_id], ['passed', newest().run_id],
    ]);
    expect(html.match(/<circle class="point"/g)).toHaveLength(3);
    expect(html).toContain('TimeoutError: card declined');
    expect(html).toContain('Flipped between consecutive runs');
    expect(html).toMatch(/<section id="quarantine"><h2>Quarantine<\/h2><p class="ok">Not quarantined\.<\/p>/);
    expect(hrefs(html)).toEqual(expect.arrayContaining(['/projects/shop', `/runs/${older().run_id}`]));

    const retried = await page(`/tests?project=shop&nodeid=${q(RETRIED)}`);
    expect(retried.html).toContain('Passed after retries');
  });

  test('a quarantined test says so on its page: since when, by whom, why (escaped), and its history', async () => {
    const reason = 'the <b>payment</b> sandbox times out';
    const put = await fetch(`${stack.apiUrl}/quarantine`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project: 'shop', nodeid: RETRIED, reason }),
    });
    expect(put.status).toBe(200);
    const { html } = await page(`/tests?project=shop&nodeid=${q(RETRIED)}`);
    const section = /<section id="quarantine">[\s\S]*?<\/section>/.exec(html)![0];
    expect(section).toContain('<span class="badge quarantined">quarantined</span> since <time');
    expect(section).toContain('by api, until released');
    expect(section).toContain('the &lt;b&gt;payment&lt;/b&gt; sandbox times out');
    expect(section).toMatch(/<td>quarantined<\/td><td>api<\/td>/);
    // Other tests of the project stay out of quarantine.
    expect((await page(`/tests?project=shop&nodeid=${q(FLIP)}`)).html).toContain('<p class="ok">Not quarantined.</p>');
  });

  test('the compare, build, flaky and workers pages link every run, test, build and worker to its page', async () => {
    const compare = await page(`/compare?base=${older().run_id}&head=${newest().run_id}`);
    expect(compare.html).toMatch(/<h2>Newly failing <small>0<\/small><\/h2>/);
    expect(compare.html).toMatch(/<h2>Fixed <small>1<\/small><\/h2>/);
    expect(compare.html).toMatch(/<h2>Added <small>121<\/small><\/h2>/);
    expect(hrefs(compare.html)).toEqual(expect.arrayContaining([`/runs/${older().run_id}`, `/runs/${newest().run_id}`, `/tests?project=shop&nodeid=${q(FLIP)}`]));
    expect(compare.html).toContain('and 21 more tests');

    const build = await page('/builds/pipeline-7?project=shop');
    expect(hrefs(build.html)).toEqual(expect.arrayContaining([`/runs/${newest().run_id}`, CI_URL, '/projects/shop']));
    expect(build.html).toContain('1/1');

    const flaky = await page('/flaky?project=shop');
    expect(hrefs(flaky.html)).toEqual(expect.arrayContaining([`/tests?project=shop&nodeid=${q(FLIP)}`, `/tests?project=shop&nodeid=${q(RETRIED)}`]));
    expect(hrefs((await page('/flaky')).html)).toEqual(expect.arrayContaining(['/flaky?project=shop', '/flaky?project=docs']));

    const workers = await page('/workers');
    for (const worker of ['ci-runner-01', 'ci-runner-02', 'docs-builder']) expect(workers.html).toContain(`<code>${worker}</code>`);
    const anchor = hrefs((await page(`/runs/${newest().run_id}`)).html).find((href) => href.startsWith('/workers#'))!.slice('/workers#'.length);
    expect(workers.html).toContain(`<tr id="${anchor}">\n<th scope="row"><code>ci-runner-01</code>`);
  });

  test('the report, at /projects/{project} and /reports/{project}.html, links its runs, tests and workers', async () => {
    for (const path of ['/projects/shop', '/reports/shop.html']) {
      const { status, html } = await page(path);
      expect(status).toBe(200);
      expect(hrefs(html)).toEqual(expect.arrayContaining([
        '/', '/workers', `/runs/${newest().run_id}`, `/tests?project=shop&nodeid=${q(FAILING(0))}`, CI_URL, '/flaky?project=shop',
      ]));
    }
    const branch = await page('/projects/shop?branch=main');
    expect(branch.html).toContain('shop <small>main</small>');
  });

  test('unknown things are 404 pages, bad addresses 400 pages; neither says what stands behind the service', async () => {
    const cases: [string, number, string][] = [
      ['/runs/no-such-run', 404, 'No run &quot;no-such-run&quot; is stored.'],
      ['/projects/nope', 404, 'Unknown project &quot;nope&quot;.'],
      [`/tests?project=shop&nodeid=${q('tests/none.py::test_none')}`, 404, 'No test &quot;tests/none.py::test_none&quot; is stored in project &quot;shop&quot;.'],
      ['/builds/nope?project=shop', 404, 'No build &quot;nope&quot; is stored for project &quot;shop&quot;.'],
      [`/compare?base=nope&head=${newest().run_id}`, 404, 'No run &quot;nope&quot; is stored.'],
      ['/flaky?project=nope', 404, 'Unknown project &quot;nope&quot;.'],
      ['/runs/%E0%A4%A', 400, 'malformed % escape'],
      ['/projects/%zz', 400, 'malformed % escape'],
      ['/tests?project=shop&nodeid=%E0%A4%A', 400, 'malformed % escape'],
      ['/tests?project=shop', 400, 'This page needs ?nodeid= in its address.'],
      ['/compare?base=x', 400, 'This page needs ?head= in its address.'],
      ['/builds/pipeline-7', 400, 'This page needs ?project= in its address.'],
      [`/runs/${newest().run_id}?outcome=bogus`, 400, 'outcome must be one of passed, failed, skipped, error, xfailed, xpassed.'],
      [`/runs/${newest().run_id}?page=0`, 400, 'page must be a positive whole number.'],
      [`/runs/${newest().run_id}?failures=garbage`, 400, 'failures must be a page link taken from this page.'],
      [`/compare?base=${newest().run_id}&head=${stack.runs.docs![0]!.run_id}`, 400, 'compare two runs of one project'],
    ];
    for (const [path, status, message] of cases) {
      const answer = await page(path);
      expect(answer.status, path).toBe(status);
      expect(answer.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(answer.headers.get('content-security-policy'), path).toBe(CSP);
      expect(answer.html, path).toContain(message);
      expect(title(answer.html), path).toBe(`${status === 404 ? 'Not found' : 'Bad request'} (${status}) — pytest-platform`);
      expect(answer.html, path).not.toContain(stack.apiUrl);
    }
    expect((await page('/workers', { method: 'POST' })).status).toBe(405);
  });

  test('with PUBLIC_URL set, every MCP tool result carries page_url, and each opens its page', async () => {
    const { client, close } = await connectStdio({ API_URL: stack.apiUrl, PUBLIC_URL: `${mcp.url}/` });
    try {
      const run = newest();
      const calls: [string, Record<string, unknown>, string][] = [
        ['get_report', { project: 'shop' }, '/projects/shop'],
        ['get_summary', { project: 'shop' }, '/projects/shop'],
        ['get_summary', {}, '/'],
        ['get_trend', { project: 'shop', branch: 'main' }, '/projects/shop?branch=main'],
        ['get_failures', { run_id: run.run_id }, `/runs/${run.run_id}`],
        ['get_workers', {}, '/workers'],
        ['get_failure_stats', { project: 'shop' }, '/projects/shop'],
        ['get_test_history', { project: 'shop', nodeid: FLIP }, `/tests?project=shop&nodeid=${q(FLIP)}`],
        ['get_flaky_tests', { project: 'shop' }, '/flaky?project=shop'],
        ['get_failure_groups', { project: 'shop' }, '/projects/shop'],
        ['compare_runs', { base: older().run_id, head: run.run_id }, `/compare?base=${older().run_id}&head=${run.run_id}`],
        ['get_slowest_tests', { project: 'shop' }, '/projects/shop'],
        ['get_new_failures', { project: 'shop' }, `/runs/${run.run_id}`],
        ['get_build', { project: 'shop', build_id: 'pipeline-7' }, '/builds/pipeline-7?project=shop'],
      ];
      const { tools } = await client.listTools();
      const named = new Set(calls.map(([name]) => name));
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining([...named]));
      for (const tool of tools.filter((t) => named.has(t.name))) {
        expect((tool.outputSchema as { properties: Record<string, unknown> }).properties.page_url, tool.name).toMatchObject({ type: 'string' });
      }
      for (const [name, args, path] of calls) {
        const result = await client.callTool({ name, arguments: args });
        expect(result.isError ?? false, name).toBe(false);
        const url = (result.structuredContent as { page_url?: string }).page_url;
        expect(url, name).toBe(`${mcp.url}${path}`);
        expect((await fetch(url!)).status, `${name}: ${url}`).toBe(200);
      }
    } finally {
      await close();
    }
    const { client: plain, close: closePlain } = await connectStdio({ API_URL: stack.apiUrl });
    try {
      const result = await plain.callTool({ name: 'get_summary', arguments: { project: 'shop' } });
      expect(result.structuredContent).not.toHaveProperty('page_url');
    } finally {
      await closePlain();
    }
  });
});
