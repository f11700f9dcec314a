import { compareCategories, truncate, type CompareCategory, type RunComparison } from '@pytest-platform/schema';
import { html, type Raw } from './escape.js';
import { formatDuration } from './format.js';
import type { PageLinks } from './links.js';
import { renderPage, type RenderedPage } from './page-layout.js';
import { badge, branchLink, commitLink, link, more, runLink, testLink, when } from './page-parts.js';

const headings: Record<CompareCategory, string> = {
  newly_failing: 'Newly failing',
  fixed: 'Fixed',
  still_failing: 'Still failing',
  added: 'Added',
  removed: 'Removed',
  slower: 'Slower (by more than 50 % and 100 ms)',
};

function side(label: string, run: RunComparison['base'], links: PageLinks, now: number): Raw {
  return html`<dt>${label}</dt><dd>${runLink(links, run.run_id)} · ${branchLink(links, run.project, run.branch)} · commit ${commitLink(links, run)} · started ${when(run.started_at, now)}</dd>`;
}

function categorySection(name: CompareCategory, data: RunComparison, links: PageLinks): Raw {
  const category = data[name];
  const heading = html`<h2>${headings[name]} <small>${category.count}</small></h2>`;
  if (category.count === 0) return html`<section id="${name}">${heading}<p class="empty">None.</p></section>`;
  const rows = category.items.map((t) => html`<tr>
<td>${testLink(links, data.head.project, t.nodeid)}${t.message ? html`<div class="message">${truncate(t.message, 500)}</div>` : ''}</td>
<td>${t.base_outcome ? badge(t.base_outcome) : '–'}</td><td>${t.head_outcome ? badge(t.head_outcome) : '–'}</td>
<td class="num">${formatDuration(t.base_duration)}</td><td class="num">${formatDuration(t.head_duration)}</td>
</tr>`);
  return html`<section id="${name}">${heading}
<table><thead><tr><th scope="col">test</th><th scope="col">base</th><th scope="col">head</th><th scope="col" class="num">base duration</th><th scope="col" class="num">head duration</th></tr></thead>
<tbody>${rows}</tbody></table>
${more(category.count, category.items.length, 'tests')}
</section>`;
}

/** `/compare?base=&head=`: what changed between two runs of one project. */
export function renderComparePage(data: RunComparison, links: PageLinks, generatedAt: string): RenderedPage {
  const now = Date.parse(generatedAt);
  const counts = compareCategories.map((name) => html`<li>${link(`#${name}`, headings[name].replace(/ \(.*/, ''))}: ${data[name].count}</li>`);
  const body = html`<h1>Compare two runs of ${link(links.project(data.head.project), data.head.project)}</h1>
<dl class="facts">${side('Base', data.base, links, now)}${side('Head', data.head, links, now)}</dl>
<ul class="meta">${counts}</ul>
${compareCategories.map((name) => categorySection(name, data, links))}`;
  return renderPage({
    title: `Compare ${data.base.run_id} → ${data.head.run_id} (${data.head.project})`,
    crumbs: [{ label: 'Projects', href: links.home() }, { label: data.head.project, href: links.project(data.head.project) }, { label: 'compare' }],
    links,
    generatedAt,
    body,
  });
}
