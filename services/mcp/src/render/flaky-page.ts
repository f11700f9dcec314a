import type { FlakyTests } from '@pytest-platform/schema';
import { html } from './escape.js';
import { formatPercent } from './format.js';
import type { PageLinks } from './links.js';
import { renderPage, type RenderedPage } from './page-layout.js';
import { branchLink, link, runLink, testLink } from './page-parts.js';

const kinds = { retry: 'passed after retries', same_commit: 'passed and failed on one commit', flip: 'flipped between runs' } as const;

/** `/flaky?project=`: the project's flaky tests ranked, each with its evidence. */
export function renderFlakyPage(data: FlakyTests, links: PageLinks, generatedAt: string): RenderedPage {
  const rows = data.items.map((t) => html`<tr>
<td>${testLink(links, data.project, t.nodeid)}</td>
<td>${t.kinds.map((k) => kinds[k]).join(', ')}</td>
<td class="num">${formatPercent(t.flip_rate)}</td>
<td class="num">${t.passed} / ${t.failed}</td>
<td>${runLink(links, t.last_run_id)}</td>
</tr>`);
  const scope = data.branch === null ? html`all branches` : html`branch ${branchLink(links, data.project, data.branch)}`;
  const body = html`<h1>Flaky tests of ${link(links.project(data.project), data.project)} <small>${data.items.length}</small></h1>
<p class="meta">In the last ${data.window} finished runs on ${scope}: tests that passed after retries, passed and failed on one commit, or flipped between consecutive runs.</p>
${rows.length === 0
    ? html`<p class="ok">No flaky test in this window.</p>`
    : html`<table><thead><tr><th scope="col">test</th><th scope="col">evidence</th><th scope="col" class="num">flip rate</th><th scope="col" class="num">passed / failed</th><th scope="col">last run</th></tr></thead><tbody>${rows}</tbody></table>`}`;
  return renderPage({
    title: `Flaky tests of ${data.project}`,
    crumbs: [{ label: 'Projects', href: links.home() }, { label: data.project, href: links.project(data.project) }, { label: 'flaky tests' }],
    links,
    generatedAt,
    body,
  });
}

/** `/flaky` without a project: which project's flaky tests to see. */
export function renderFlakyChooser(projects: readonly string[], links: PageLinks, generatedAt: string): RenderedPage {
  const items = projects.map((project) => html`<li>${link(links.flaky(project), project)}</li>`);
  return renderPage({
    title: 'Flaky tests',
    crumbs: [{ label: 'Projects', href: links.home() }, { label: 'flaky tests' }],
    links,
    generatedAt,
    body: html`<h1>Flaky tests</h1>${items.length === 0 ? html`<p class="empty">No project has runs yet.</p>` : html`<p>Choose a project:</p><ul>${items}</ul>`}`,
  });
}
