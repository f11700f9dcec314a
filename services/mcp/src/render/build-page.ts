import type { BuildDetail } from '@pytest-platform/schema';
import { html } from './escape.js';
import { formatDuration, formatPercent } from './format.js';
import type { PageLinks } from './links.js';
import { renderPage, type RenderedPage } from './page-layout.js';
import { badge, branchLink, ciUrl, commitLink, link, runLink, stat, when, workerLink } from './page-parts.js';

/** `/builds/{build_id}?project=`: one CI build, its runs (shards) and their summed counts. */
export function renderBuildPage(build: BuildDetail, links: PageLinks, generatedAt: string): RenderedPage {
  const now = Date.parse(generatedAt);
  const s = build.summary;
  const ci = build.runs.map(ciUrl).find((url) => url !== null) ?? null;
  const fact = (label: string, value: unknown) => html`<dt>${label}</dt><dd>${value}</dd>`;
  const rows = build.runs.map((run) => html`<tr>
<td>${runLink(links, run.run_id)}</td><td>${run.shard ?? '–'}</td><td>${badge(run.status)}</td><td class="num">${formatPercent(run.pass_rate)}</td>
<td class="num">${run.summary.passed} / ${run.summary.failed} / ${run.summary.errors} / ${run.summary.skipped}</td>
<td class="num">${formatDuration(run.duration)}</td><td>${workerLink(links, run.worker_id)}</td><td>${when(run.started_at, now)}</td>
</tr>`);
  const body = html`<header id="summary" class="summary status-${build.status}">
<h1>Build <code class="nodeid">${build.build_id}</code> <small>${link(links.project(build.project), build.project)}</small></h1>
<p class="meta">${badge(build.status)} ${build.run_count} run${build.run_count === 1 ? '' : 's'} · started ${when(build.started_at, now)} · ${build.duration === null ? 'still running' : formatDuration(build.duration)}</p>
<div class="stats">
${stat('pass rate', formatPercent(build.pass_rate), 'rate')}${stat('total', s.total)}${stat('passed', s.passed, 'passed')}${stat('failed', s.failed, 'failed')}
${stat('errors', s.errors, 'error')}${stat('skipped', s.skipped, 'skipped')}${s.flaky > 0 ? stat('flaky', s.flaky, 'flaky') : ''}
</div>
<dl class="facts">
${fact('Branch', branchLink(links, build.project, build.branch))}${fact('Commit', commitLink(links, { ...build, environment: build.runs[0]?.environment }))}
${fact('Shards', build.shards.length > 0 ? build.shards.join(', ') : '–')}${fact('CI', ci ? link(ci, ci) : '–')}
${fact('Finished', build.finished_at === null ? 'still running' : when(build.finished_at, now))}
</dl>
</header>
<section id="runs"><h2>Runs <small>in start order</small></h2>
<table><thead><tr><th scope="col">run</th><th scope="col">shard</th><th scope="col">status</th><th scope="col" class="num">pass rate</th><th scope="col" class="num">passed / failed / errors / skipped</th><th scope="col" class="num">duration</th><th scope="col">worker</th><th scope="col">started</th></tr></thead>
<tbody>${rows}</tbody></table>
</section>`;
  return renderPage({
    title: `Build ${build.build_id} of ${build.project} (${build.status})`,
    crumbs: [{ label: 'Projects', href: links.home() }, { label: build.project, href: links.project(build.project) }, { label: html`build <code>${build.build_id}</code>` }],
    links,
    generatedAt,
    body,
  });
}
