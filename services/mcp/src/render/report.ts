import { truncate, type FailureStat, type FlakyTest, type Run, type RunDetail, type SlowTest, type Trend, type Worker } from '@pytest-platform/schema';
import { emptyChart, lineChart } from './chart.js';
import { html, type Raw } from './escape.js';
import { formatDay, formatDuration, formatPercent, formatTime, niceCeil } from './format.js';
import type { PageLinks } from './links.js';
import { breadcrumbs, documentHead, siteHeader } from './page-layout.js';
import { quarantineSection, type QuarantinedTest } from './quarantine-section.js';
import { badge, branchLink, ciUrl, commitLink, link, more, runLink, testLink, when, workerLink } from './page-parts.js';


/** Everything one report shows; the MCP service fetches it from the API. */
export interface ReportData {
  project: string;
  /** `null`: all branches. */
  branch: string | null;
  generatedAt: string;
  /** Most recent runs, newest first. */
  runs: readonly Run[];
  /** Points oldest first, one per run. */
  trend: Trend;
  /** The newest run with its failures. */
  latest: RunDetail | null;
  failureStats: readonly FailureStat[];
  /** Window of `failureStats`, in days. */
  failureStatsDays: number;
  workers: readonly Worker[];
  /** Flaky tests of the last runs, most flaky first; no section content when absent. */
  flaky?: readonly FlakyTest[] | undefined;
  /** Runs the flaky tests were looked for in. */
  flakyWindow?: number | undefined;
  /** Slowest tests by median duration, slowest first. */
  slowest?: readonly SlowTest[] | undefined;
  /** Runs the medians were taken over. */
  slowestRuns?: number | undefined;
  /** The project's quarantined tests, by node id; no section content when absent. */
  quarantine?: readonly QuarantinedTest[] | undefined;
}

/** Upper bounds that keep a report small on huge projects; the rest is summarised as "and K more". */
export const reportLimits = {
  failures: 50,
  tracebackChars: 16_384,
  messageChars: 500,
  failureStats: 20,
  workers: 50,
  runs: 15,
  newFailures: 30,
  flaky: 20,
  slowest: 15,
};

export const reportSections = ['summary', 'trend', 'new-failures', 'failures', 'flaky', 'quarantine', 'frequent-failures', 'slowest', 'runs', 'workers'] as const;
export type ReportSection = (typeof reportSections)[number];

export interface RenderedReport {
  html: string;
  sections: ReportSection[];
  /** UTF-8 bytes of `html`. */
  bytes: number;
}

/** Where the report's names, runs and tests link to; `null` when it is read where no page can be opened. */
type Links = PageLinks | null;

/**
 * Renders one self-contained HTML report: inline CSS and SVG, no scripts, every test string
 * escaped. With `links`, every project, run, test, worker, branch and commit links to its page
 * and the site navigation heads the report.
 */
export function renderReport(data: ReportData, links: Links = null): RenderedReport {
  const title = `${data.project}${data.branch ? ` @ ${data.branch}` : ''} — test report`;
  const now = Date.parse(data.generatedAt);
  const body = [
    summarySection(data, links, now), trendSection(data), newFailuresSection(data, links), failuresSection(data, links), flakySection(data, links),
    quarantineSection(data.project, data.quarantine ?? [], links, now),
    frequentSection(data, links), slowestSection(data, links), runsSection(data, links, now), workersSection(data, links, now),
  ];
  const crumbs = links
    ? [{ label: 'Projects', href: links.home() }, ...(data.branch ? [{ label: data.project, href: links.project(data.project) }, { label: data.branch }] : [{ label: data.project }])]
    : [];
  const page = html`<!doctype html>
<html lang="en">
${documentHead(title)}
<body>
${links ? siteHeader(links) : ''}
<main id="content">
${links ? breadcrumbs(crumbs) : ''}
${body}
<footer>Generated ${formatTime(data.generatedAt)} by pytest-platform from the read API.</footer>
</main>
</body>
</html>
`.value;
  return { html: page, sections: [...reportSections], bytes: Buffer.byteLength(page) };
}

function summarySection(data: ReportData, links: Links, now: number): Raw {
  const latest = data.latest ?? data.runs[0] ?? null;
  const branch = data.branch ?? 'all branches';
  if (!latest) {
    return html`<header id="summary" class="summary"><h1>${data.project} <small>${branch}</small></h1><p class="empty">No runs stored for this project${data.branch ? ' on this branch' : ''} yet.</p></header>`;
  }
  const s = latest.summary;
  const stat = (label: string, value: string | number, cls = '') => html`<div class="stat ${cls}"><span class="value">${value}</span><span class="label">${label}</span></div>`;
  const ci = links ? ciUrl(latest) : null;
  return html`<header id="summary" class="summary status-${latest.status}">
<h1>${data.project} <small>${branch}</small></h1>
<p class="meta">${link(links?.run(latest.run_id), 'Last run')} ${badge(latest.status)} started ${links ? when(latest.started_at, now) : formatTime(latest.started_at)} on ${workerLink(links, latest.worker_id)}${latest.branch ? html` · branch ${branchLink(links, latest.project, latest.branch)}` : ''}${latest.commit ? html` · commit ${commitLink(links, latest)}` : ''} · ${formatDuration(latest.duration)}${ci ? html` · ${link(ci, 'CI run')}` : ''}${links ? html` · ${link(links.flaky(data.project, data.branch), 'flaky tests')}` : ''}</p>
<div class="stats">
${stat('pass rate', formatPercent(latest.pass_rate), 'rate')}
${stat('total', s.total)}
${stat('passed', s.passed, 'passed')}
${stat('failed', s.failed, 'failed')}
${stat('errors', s.errors, 'error')}
${stat('skipped', s.skipped, 'skipped')}
${s.flaky > 0 ? stat('flaky', s.flaky, 'flaky') : ''}
</div>
</header>`;
}

function trendSection(data: ReportData): Raw {
  const points = data.trend.points;
  if (points.length === 0) return html`<section id="trend"><h2>Trend</h2>${emptyChart('No runs to chart yet.')}</section>`;
  const label = (p: (typeof points)[number]) => formatDay(p.started_at);
  const passChart = lineChart({
    title: `Pass rate over the last ${points.length} runs`,
    yAxisTitle: 'pass rate',
    xAxisTitle: 'run start (UTC), oldest → newest',
    yMax: 1,
    formatY: (v) => formatPercent(v, 0),
    className: 'pass-rate',
    points: points.map((p) => ({
      value: p.pass_rate,
      label: label(p),
      title: `${formatTime(p.started_at)} · ${p.pass_rate === null ? 'nothing executed' : formatPercent(p.pass_rate)} · ${p.passed} passed, ${p.failed} failed, ${p.errors} errors · run ${p.run_id}`,
    })),
  });
  const maxDuration = Math.max(0, ...points.map((p) => p.duration ?? 0));
  const durationChart = lineChart({
    title: `Duration over the last ${points.length} runs`,
    yAxisTitle: 'duration',
    xAxisTitle: 'run start (UTC), oldest → newest',
    yMax: niceCeil(maxDuration),
    formatY: (v) => formatDuration(v),
    className: 'duration',
    points: points.map((p) => ({
      value: p.duration,
      label: label(p),
      title: `${formatTime(p.started_at)} · ${formatDuration(p.duration)} · run ${p.run_id}`,
    })),
  });
  return html`<section id="trend"><h2>Trend <small>${points.length} runs</small></h2>
<figure><figcaption>Pass rate</figcaption>${passChart}</figure>
<figure><figcaption>Duration</figcaption>${durationChart}</figure>
</section>`;
}

function failuresSection(data: ReportData, links: Links): Raw {
  const latest = data.latest;
  if (!latest) return html`<section id="failures"><h2>Failures in the latest run</h2><p class="empty">No run yet.</p></section>`;
  const failures = latest.failures;
  if (failures.length === 0) {
    return html`<section id="failures"><h2>Failures in the latest run</h2><p class="ok">No failures or errors in run ${runLink(links, latest.run_id)}.</p></section>`;
  }
  const shown = failures.slice(0, reportLimits.failures);
  const items = shown.map((f) => html`<details class="failure">
<summary>${badge(f.outcome)} <code class="nodeid">${f.nodeid}</code>${f.message ? html`<span class="message">${truncate(f.message, reportLimits.messageChars)}</span>` : ''}</summary>
${links ? html`<p class="where">${link(links.test(latest.project, f.nodeid), 'This test’s history')}</p>` : ''}
${f.file ? html`<p class="where">${f.file}${f.line !== null ? `:${f.line}` : ''} · ${formatDuration(f.duration)}${f.attempts > 1 ? ` · ${f.attempts} attempts` : ''}</p>` : ''}
<pre class="traceback">${f.longrepr ? truncate(f.longrepr, reportLimits.tracebackChars) : f.message ?? 'no traceback recorded'}</pre>
</details>`);
  return html`<section id="failures"><h2>Failures in the latest run <small>${latest.failures_total}</small></h2>
<p class="meta">Run ${runLink(links, latest.run_id)} · ${formatTime(latest.started_at)}</p>
${items}
${more(latest.failures_total, shown.length, 'failures')}
</section>`;
}

function newFailuresSection(data: ReportData, links: Links): Raw {
  const latest = data.latest;
  const heading = html`<h2>New failures <small>not failing before on this branch, not known flaky</small></h2>`;
  if (!latest) return html`<section id="new-failures">${heading}<p class="empty">No run yet.</p></section>`;
  const fresh = latest.failures.filter((f) => f.classification === 'new');
  const known = latest.failures.length - fresh.length;
  // Classified: the failures the report read, the first page of a run that has more.
  const among = latest.failures_total > latest.failures.length ? ` among its first ${latest.failures.length} of ${latest.failures_total} failures` : '';
  if (fresh.length === 0) {
    return html`<section id="new-failures">${heading}<p class="ok">No new failures in run ${runLink(links, latest.run_id)}${among}${known > 0 ? ` (${known} recurring or flaky)` : ''}.</p></section>`;
  }
  const shown = fresh.slice(0, reportLimits.newFailures);
  const rows = shown.map((f) => html`<tr>
<td>${badge(f.outcome)} ${testLink(links, latest.project, f.nodeid)}${f.message ? html`<div class="message">${truncate(f.message, reportLimits.messageChars)}</div>` : ''}</td>
</tr>`);
  return html`<section id="new-failures">${heading}
<p class="meta">${fresh.length} new, ${known} recurring or flaky in run ${runLink(links, latest.run_id)}${among}</p>
<table><thead><tr><th>test</th></tr></thead><tbody>${rows}</tbody></table>
${more(fresh.length, shown.length, 'new failures')}
</section>`;
}

function flakySection(data: ReportData, links: Links): Raw {
  const flaky = data.flaky ?? [];
  const heading = html`<h2>Flaky tests <small>last ${data.flakyWindow ?? 0} runs</small></h2>`;
  if (flaky.length === 0) return html`<section id="flaky">${heading}<p class="ok">No flaky test in this window.</p></section>`;
  const kind = { retry: 'passed after retries', same_commit: 'passed and failed on one commit', flip: 'flipped between runs' } as const;
  const shown = flaky.slice(0, reportLimits.flaky);
  const rows = shown.map((t) => html`<tr>
<td>${testLink(links, data.project, t.nodeid)}</td>
<td>${t.kinds.map((k) => kind[k]).join(', ')}</td>
<td class="num">${formatPercent(t.flip_rate)}</td>
<td class="num">${t.passed} / ${t.failed}</td>
</tr>`);
  return html`<section id="flaky">${heading}
<table><thead><tr><th>test</th><th>evidence</th><th class="num">flip rate</th><th class="num">passed / failed</th></tr></thead>
<tbody>${rows}</tbody></table>
${more(flaky.length, shown.length, 'flaky tests')}
</section>`;
}

function slowestSection(data: ReportData, links: Links): Raw {
  const slowest = data.slowest ?? [];
  const heading = html`<h2>Slowest tests <small>median over the last ${data.slowestRuns ?? 0} runs</small></h2>`;
  if (slowest.length === 0) return html`<section id="slowest">${heading}<p class="empty">No durations recorded yet.</p></section>`;
  const shown = slowest.slice(0, reportLimits.slowest);
  const rows = shown.map((t) => html`<tr>
<td>${testLink(links, data.project, t.nodeid)}</td>
<td class="num">${formatDuration(t.median_duration)}</td>
<td class="num">${formatDuration(t.latest_duration)}</td>
<td>${t.trend === null ? '–' : html`${t.trend}${t.change !== null && t.trend !== 'stable' ? ` (×${t.change.toFixed(2)})` : ''}`}</td>
</tr>`);
  return html`<section id="slowest">${heading}
<table><thead><tr><th>test</th><th class="num">median</th><th class="num">latest</th><th>trend</th></tr></thead>
<tbody>${rows}</tbody></table>
${more(slowest.length, shown.length, 'tests')}
</section>`;
}

function frequentSection(data: ReportData, links: Links): Raw {
  const stats = data.failureStats;
  const heading = html`<h2>Most frequent failures <small>last ${data.failureStatsDays} days</small></h2>`;
  if (stats.length === 0) return html`<section id="frequent-failures">${heading}<p class="ok">No test failed in this window.</p></section>`;
  const shown = stats.slice(0, reportLimits.failureStats);
  const rows = shown.map((s) => html`<tr>
<td>${testLink(links, s.project, s.nodeid)}${s.last_message ? html`<div class="message">${truncate(s.last_message, reportLimits.messageChars)}</div>` : ''}</td>
<td class="num">${s.failures} / ${s.runs}</td>
<td class="num">${formatPercent(s.failure_rate)}</td>
<td>${formatTime(s.last_failed_at)}</td>
</tr>`);
  return html`<section id="frequent-failures">${heading}
<table><thead><tr><th>test</th><th class="num">failed / runs</th><th class="num">failure rate</th><th>last failed</th></tr></thead>
<tbody>${rows}</tbody></table>
${more(stats.length, shown.length, 'tests')}
</section>`;
}

function runsSection(data: ReportData, links: Links, now: number): Raw {
  const runs = data.runs;
  if (runs.length === 0) return html`<section id="runs"><h2>Recent runs</h2><p class="empty">No runs yet.</p></section>`;
  const shown = runs.slice(0, reportLimits.runs);
  const rows = shown.map((r) => html`<tr>
<td>${links ? link(links.run(r.run_id), when(r.started_at, now)) : formatTime(r.started_at)}</td><td>${badge(r.status)}</td><td class="num">${formatPercent(r.pass_rate)}</td>
<td class="num">${r.summary.passed} / ${r.summary.failed} / ${r.summary.errors} / ${r.summary.skipped}</td>
<td class="num">${formatDuration(r.duration)}</td><td>${workerLink(links, r.worker_id)}</td><td>${links ? branchLink(links, r.project, r.branch) : r.branch ?? '–'}</td><td>${links ? commitLink(links, r) : html`<code>${r.commit ?? '–'}</code>`}</td>
</tr>`);
  return html`<section id="runs"><h2>Recent runs</h2>
<table><thead><tr><th>started</th><th>status</th><th class="num">pass rate</th><th class="num">passed / failed / errors / skipped</th><th class="num">duration</th><th>worker</th><th>branch</th><th>commit</th></tr></thead>
<tbody>${rows}</tbody></table>
${more(runs.length, shown.length, 'runs')}
</section>`;
}

function workersSection(data: ReportData, links: Links, now: number): Raw {
  const workers = data.workers;
  if (workers.length === 0) return html`<section id="workers"><h2>Workers</h2><p class="empty">No worker has reported yet.</p></section>`;
  const shown = workers.slice(0, reportLimits.workers);
  const rows = shown.map((w) => html`<tr>
<td>${workerLink(links, w.worker_id)}</td><td>${badge(w.status)}</td><td>${links ? when(w.last_seen, now) : formatTime(w.last_seen)}</td>
<td>${w.project ? link(links?.project(w.project), w.project) : '–'}${w.branch ? html` <small>${w.branch}</small>` : ''}</td>
<td>${w.last_run_id ? runLink(links, w.last_run_id) : html`<code>–</code>`}</td><td class="num">${w.runs_24h}</td><td class="num">${formatPercent(w.pass_rate_24h)}</td>
</tr>`);
  return html`<section id="workers"><h2>Workers <small>${workers.length}</small></h2>
<table><thead><tr><th>worker</th><th>status</th><th>last seen</th><th>last project</th><th>last run</th><th class="num">runs 24 h</th><th class="num">pass rate 24 h</th></tr></thead>
<tbody>${rows}</tbody></table>
${more(workers.length, shown.length, 'workers')}
</section>`;
}
