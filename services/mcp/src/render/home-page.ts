import type { Run } from '@pytest-platform/schema';
import { html } from './escape.js';
import { formatPercent } from './format.js';
import type { PageLinks } from './links.js';
import { renderPage, type RenderedPage } from './page-layout.js';
import { badge, branchLink, commitLink, link, when } from './page-parts.js';
import { sparkline } from './sparkline.js';

/** One project on the home page: its newest run and the pass rates of its last runs (oldest first). */
export interface ProjectOverview {
  project: string;
  last: Run | null;
  passRates: (number | null)[];
}

export interface HomePageData {
  generatedAt: string;
  projects: readonly ProjectOverview[];
  /** The address of the next page of projects; `null` on the last. */
  next: string | null;
  /** This is not the first page. */
  paged: boolean;
}

/** `/`: every project with its last run's status and pass rate and a small trend. */
export function renderHomePage(data: HomePageData, links: PageLinks): RenderedPage {
  const now = Date.parse(data.generatedAt);
  const rows = data.projects.map(({ project, last, passRates }) => html`<tr>
<th scope="row">${link(links.project(project), project)}</th>
<td>${last ? html`${link(links.run(last.run_id), badge(last.status))} ${when(last.started_at, now)}` : html`<span class="empty">no run</span>`}</td>
<td class="num">${last ? formatPercent(last.pass_rate) : '–'}</td>
<td>${sparkline(passRates)}</td>
<td>${last ? html`${branchLink(links, project, last.branch)} ${commitLink(links, last)}` : '–'}</td>
<td>${link(links.flaky(project), 'flaky tests')}</td>
</tr>`);
  const body = data.projects.length === 0 && !data.paged
    ? html`<h1>Projects</h1><p class="empty">No run has been stored yet. Point a reporter at this platform and run a test suite.</p>`
    : html`<h1>Projects</h1>
<table><thead><tr><th scope="col">project</th><th scope="col">last run</th><th scope="col" class="num">pass rate</th><th scope="col">trend</th><th scope="col">branch · commit</th><th scope="col"><span class="sr-only">more</span></th></tr></thead>
<tbody>${rows}</tbody></table>
<nav class="pager" aria-label="Project pages">${data.paged ? link(links.home(), 'first page') : ''}${data.next ? link(data.next, 'next page') : ''}</nav>`;
  return renderPage({ title: 'Projects', crumbs: [], links, generatedAt: data.generatedAt, body });
}
