import { outcomes, truncate, type ClassifiedFailure, type Outcome, type Run, type RunTestItem } from '@pytest-platform/schema';
import { html, type Raw } from './escape.js';
import { formatDuration, formatPercent } from './format.js';
import type { PageLinks } from './links.js';
import { renderPage, type RenderedPage } from './page-layout.js';
import { badge, branchLink, ciUrl, commitLink, link, runLink, stat, testLink, when, workerLink } from './page-parts.js';

/** Upper bounds that keep a run page small however large the run. */
export const runPageLimits = { failuresPerPage: 50, testsPerPage: 100, tracebackChars: 8_192, messageChars: 500 };

/** One page of a run's failures. */
export interface FailuresPage {
  items: readonly ClassifiedFailure[];
  /** Failed and error tests in the run. */
  total: number;
  /** Classifications over the whole run, when they are known; `null` when only this page's are. */
  classes: Record<ClassifiedFailure['classification'], number> | null;
  /** Index of this page (1-based). */
  page: number;
  /** The `failures` query value of this page; `undefined` on the first. */
  param: string | undefined;
  /** The `failures` query value of the next page; `null` on the last. */
  next: string | null;
}

/** What the tests section shows: the filters, one page of matching tests, and how many matched. */
export interface TestsPage {
  filters: { outcome?: Outcome | undefined; tag?: string | undefined; q?: string | undefined };
  items: readonly RunTestItem[];
  page: number;
  /** Tests matching the filters among those read. */
  matched: number;
  /** Tests read from the run (the API answers at most this many); the count is then a lower bound. */
  cap: number | null;
}

export interface RunPageData {
  generatedAt: string;
  run: Run;
  /** The run before this one on its branch (on the project when it has no branch). */
  previous: Run | null;
  failures: FailuresPage;
  tests: TestsPage;
}

/** `/runs/{id}` with some query values changed (`undefined` drops one), at an anchor. */
function runHref(links: PageLinks, data: RunPageData, changes: Record<string, string | undefined>, anchor: string): string {
  const { outcome, tag, q } = data.tests.filters;
  const values: Record<string, string | undefined> = {
    failures: data.failures.param, outcome, tag, q, page: data.tests.page > 1 ? String(data.tests.page) : undefined, ...changes,
  };
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) search.set(name, value);
  const text = search.toString();
  return `${links.run(data.run.run_id)}${text ? `?${text}` : ''}#${anchor}`;
}

function header(data: RunPageData, links: PageLinks, now: number): Raw {
  const { run } = data;
  const s = run.summary;
  const ci = ciUrl(run);
  const fact = (label: string, value: unknown) => html`<dt>${label}</dt><dd>${value}</dd>`;
  return html`<header id="summary" class="summary status-${run.status}">
<h1>Run <code class="nodeid">${run.run_id}</code> <small>${link(links.project(run.project), run.project)}</small></h1>
<p class="meta">${badge(run.status)} started ${when(run.started_at, now)} · ${run.finished_at === null ? 'still running' : formatDuration(run.duration)}</p>
<div class="stats">
${stat('pass rate', formatPercent(run.pass_rate), 'rate')}${stat('total', s.total)}${stat('passed', s.passed, 'passed')}${stat('failed', s.failed, 'failed')}
${stat('errors', s.errors, 'error')}${stat('skipped', s.skipped, 'skipped')}${s.flaky > 0 ? stat('flaky', s.flaky, 'flaky') : ''}
${s.xfailed > 0 ? stat('xfailed', s.xfailed) : ''}${s.xpassed > 0 ? stat('xpassed', s.xpassed) : ''}
</div>
<dl class="facts">
${fact('Project', link(links.project(run.project), run.project))}${fact('Branch', branchLink(links, run.project, run.branch))}${fact('Commit', commitLink(links, run))}
${fact('Worker', workerLink(links, run.worker_id))}
${fact('Build', run.build_id === null ? '–' : html`${link(links.build(run.project, run.build_id), html`<code>${run.build_id}</code>`)}${run.shard ? html` · shard ${run.shard}` : ''}`)}
${fact('CI', ci ? link(ci, ci) : '–')}
${fact('Framework', `${run.framework}${run.framework_version ? ` ${run.framework_version}` : ''}`)}
${fact('Finished', run.finished_at === null ? 'still running' : when(run.finished_at, now))}
</dl>
</header>`;
}

function previousSection(data: RunPageData, links: PageLinks, now: number): Raw {
  const { run, previous } = data;
  const where = run.branch === null ? 'in this project' : html`on ${branchLink(links, run.project, run.branch)}`;
  if (!previous) return html`<section id="previous"><h2>Previous run</h2><p class="empty">No earlier run ${where}.</p></section>`;
  return html`<section id="previous"><h2>Previous run</h2>
<p>${runLink(links, previous.run_id)} ${badge(previous.status)} ${where}, started ${when(previous.started_at, now)}, pass rate ${formatPercent(previous.pass_rate)}, commit ${commitLink(links, previous)}.</p>
<p>${link(links.compare(previous.run_id, run.run_id), 'Compare with the previous run')}</p>
</section>`;
}

function failureItem(f: ClassifiedFailure, project: string, links: PageLinks): Raw {
  const where = [f.file ? `${f.file}${f.line !== null ? `:${f.line}` : ''}` : null, formatDuration(f.duration), f.attempts > 1 ? `${f.attempts} attempts` : null];
  return html`<article class="failure-item">
<p class="head">${badge(f.outcome)} ${badge(f.classification)}${f.quarantined ? html` ${badge('quarantined')}` : ''} ${testLink(links, project, f.nodeid)}</p>
${f.message ? html`<p class="message">${truncate(f.message, runPageLimits.messageChars)}</p>` : ''}
<p class="where">${where.filter((part) => part !== null).join(' · ')}</p>
<details><summary>Traceback</summary><pre class="traceback">${f.longrepr ? truncate(f.longrepr, runPageLimits.tracebackChars) : f.message ?? 'no traceback recorded'}</pre></details>
</article>`;
}

function failuresSection(data: RunPageData, links: PageLinks): Raw {
  const { failures, run } = data;
  const heading = html`<h2>Failures <small>${failures.total}</small></h2>`;
  if (failures.total === 0) return html`<section id="failures">${heading}<p class="ok">No failures or errors in this run.</p></section>`;
  const classes = failures.classes;
  const first = (failures.page - 1) * runPageLimits.failuresPerPage;
  const pager = html`<nav class="pager" aria-label="Failure pages">
<span>failures ${first + 1}–${first + failures.items.length} of ${failures.total}</span>
${failures.page > 1 ? link(runHref(links, data, { failures: undefined }, 'failures'), 'first page') : ''}
${failures.next ? link(runHref(links, data, { failures: failures.next }, 'failures'), 'next page') : ''}
</nav>`;
  return html`<section id="failures">${heading}
${classes ? html`<p class="meta">${classes.new} new, ${classes.recurring} recurring, ${classes.flaky} flaky; new failures first.</p>` : html`<p class="meta">New failures first on each page.</p>`}
${failures.items.map((f) => failureItem(f, run.project, links))}
${pager}
</section>`;
}

function filterForm(data: RunPageData, links: PageLinks): Raw {
  const { outcome, tag, q } = data.tests.filters;
  const options = ['', ...outcomes].map((value) => html`<option value="${value}"${value === (outcome ?? '') ? html` selected` : ''}>${value || 'any'}</option>`);
  return html`<form class="filters" method="get" action="${links.run(data.run.run_id)}#tests" role="search" aria-label="Filter the tests">
<label>Outcome <select name="outcome">${options}</select></label>
<label>Tag <input name="tag" value="${tag ?? ''}" maxlength="255"></label>
<label>Text in the node id or message <input name="q" value="${q ?? ''}" maxlength="500" type="search"></label>
<button type="submit">Filter</button>
${outcome || tag || q ? link(`${links.run(data.run.run_id)}#tests`, 'clear filters') : ''}
</form>`;
}

function testsSection(data: RunPageData, links: PageLinks): Raw {
  const { tests, run } = data;
  const first = (tests.page - 1) * runPageLimits.testsPerPage;
  const rows = tests.items.map((t) => html`<tr>
<td>${testLink(links, run.project, t.nodeid)}${t.message ? html`<div class="message">${truncate(t.message, runPageLimits.messageChars)}</div>` : ''}</td>
<td>${badge(t.outcome)}${t.quarantined ? html` ${badge('quarantined')}` : ''}</td><td class="num">${formatDuration(t.duration)}</td><td class="num">${t.attempts}</td>
<td>${t.tags.map((tag, i) => html`${i > 0 ? ', ' : ''}${link(runHref(links, data, { tag, page: undefined }, 'tests'), tag)}`)}</td>
</tr>`);
  const lowerBound = tests.cap !== null ? 'at least ' : '';
  const hasNext = first + tests.items.length < tests.matched;
  const pager = html`<nav class="pager" aria-label="Test pages">
<span>${tests.items.length === 0 ? 'no test' : `tests ${first + 1}–${first + tests.items.length}`} of ${lowerBound}${tests.matched}${tests.cap !== null ? ` (the first ${tests.cap} tests of the run were read)` : ''}</span>
${tests.page > 1 ? link(runHref(links, data, { page: tests.page === 2 ? undefined : String(tests.page - 1) }, 'tests'), 'previous page') : ''}
${hasNext ? link(runHref(links, data, { page: String(tests.page + 1) }, 'tests'), 'next page') : ''}
</nav>`;
  return html`<section id="tests"><h2>All tests</h2>
${filterForm(data, links)}
${rows.length === 0 ? html`<p class="empty">No test matches these filters.</p>` : html`<table><thead><tr><th scope="col">test</th><th scope="col">outcome</th><th scope="col" class="num">duration</th><th scope="col" class="num">attempts</th><th scope="col">tags</th></tr></thead><tbody>${rows}</tbody></table>`}
${pager}
</section>`;
}

/** `/runs/{run_id}`: the run's header, the previous run on its branch, its failures (new first) and all its tests. */
export function renderRunPage(data: RunPageData, links: PageLinks): RenderedPage {
  const now = Date.parse(data.generatedAt);
  const { run } = data;
  return renderPage({
    title: `Run ${run.run_id} of ${run.project} (${run.status})`,
    crumbs: [{ label: 'Projects', href: links.home() }, { label: run.project, href: links.project(run.project) }, { label: html`run <code>${run.run_id}</code>` }],
    links,
    generatedAt: data.generatedAt,
    body: [header(data, links, now), previousSection(data, links, now), failuresSection(data, links), testsSection(data, links)],
  });
}
