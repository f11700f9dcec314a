import type { Worker } from '@pytest-platform/schema';
import { html } from './escape.js';
import { formatPercent } from './format.js';
import { workerAnchor, type PageLinks } from './links.js';
import { renderPage, type RenderedPage } from './page-layout.js';
import { badge, branchLink, link, runLink, when } from './page-parts.js';

export interface WorkersPageData {
  generatedAt: string;
  workers: readonly Worker[];
  /** The address of the next page; `null` on the last. */
  next: string | null;
  /** This is not the first page. */
  paged: boolean;
}

/** `/workers`: every worker, running, online or offline, with its last run. */
export function renderWorkersPage(data: WorkersPageData, links: PageLinks): RenderedPage {
  const now = Date.parse(data.generatedAt);
  const rows = data.workers.map((w) => html`<tr id="${workerAnchor(w.worker_id)}">
<th scope="row"><code>${w.worker_id}</code></th><td>${badge(w.status)}</td><td>${when(w.last_seen, now)}</td>
<td>${w.project ? html`${link(links.project(w.project), w.project)}${w.branch ? html` · ${branchLink(links, w.project, w.branch)}` : ''}` : '–'}</td>
<td>${w.last_run_id ? runLink(links, w.last_run_id) : '–'}</td><td class="num">${w.runs_24h}</td><td class="num">${formatPercent(w.pass_rate_24h)}</td>
</tr>`);
  const body = html`<h1>Workers</h1>
${rows.length === 0
    ? html`<p class="empty">No worker has reported yet.</p>`
    : html`<table><thead><tr><th scope="col">worker</th><th scope="col">status</th><th scope="col">last seen</th><th scope="col">last project · branch</th><th scope="col">last run</th><th scope="col" class="num">runs 24 h</th><th scope="col" class="num">pass rate 24 h</th></tr></thead>
<tbody>${rows}</tbody></table>`}
<nav class="pager" aria-label="Worker pages">${data.paged ? link(links.workers(), 'first page') : ''}${data.next ? link(data.next, 'next page') : ''}</nav>`;
  return renderPage({ title: 'Workers', crumbs: [{ label: 'Projects', href: links.home() }, { label: 'workers' }], links, generatedAt: data.generatedAt, body });
}
