import { truncate, type FlakyTest, type QuarantineList, type TestHistory, type TestHistoryEntry } from '@pytest-platform/schema';
import { lineChart } from './chart.js';
import { html, type Raw } from './escape.js';
import { formatDay, formatDuration, formatPercent, formatTime, niceCeil } from './format.js';
import type { PageLinks } from './links.js';
import { renderPage, type RenderedPage } from './page-layout.js';
import { badge, branchLink, commitLink, link, more, runLink, when, workerLink } from './page-parts.js';

export interface TestPageData {
  generatedAt: string;
  project: string;
  nodeid: string;
  branch: string | null;
  /** Its last results, newest first. */
  history: TestHistory;
  /** Its entry among the project's flaky tests, `null` when it is not one. */
  flaky: FlakyTest | null;
  /** Runs the flaky tests were looked for in. */
  flakyWindow: number;
  /** Its quarantine entry and history (`GET /quarantine`); `null` when the API could not say. */
  quarantine: QuarantineList | null;
}

const MESSAGES = 20;
const EVIDENCE_RUNS = 10;

function stripSection(data: TestPageData, links: PageLinks): Raw {
  const oldestFirst = [...data.history.items].reverse();
  const cells = oldestFirst.map((item) => {
    const label = `${item.outcome} in run ${item.run_id}, ${formatTime(item.started_at)}`;
    return html`<a class="${item.outcome}" href="${links.run(item.run_id)}" aria-label="${label}" title="${label}"></a>`;
  });
  const count = (outcomes: readonly string[]) => data.history.items.filter((item) => outcomes.includes(item.outcome)).length;
  const failed = count(['failed', 'error']);
  const passed = count(['passed', 'xfailed']);
  return html`<section id="outcomes"><h2>Outcomes <small>last ${oldestFirst.length} runs, oldest → newest</small></h2>
<div class="strip">${cells}</div>
<p class="legend">${passed} passed, ${failed} failed or errored, ${oldestFirst.length - passed - failed} skipped or other${
    passed + failed > 0 ? html`; failure rate ${formatPercent(failed / (passed + failed))}` : ''
  }. Each square is a run; green passed, red failed, orange error, grey skipped, violet xpassed.</p>
</section>`;
}

function durationSection(data: TestPageData): Raw {
  const oldestFirst = [...data.history.items].reverse();
  const chart = lineChart({
    title: `Duration of ${data.nodeid} over its last ${oldestFirst.length} runs`,
    yAxisTitle: 'duration',
    xAxisTitle: 'run start (UTC), oldest → newest',
    yMax: niceCeil(Math.max(0, ...oldestFirst.map((item) => item.duration))),
    formatY: (v) => formatDuration(v),
    className: 'duration',
    points: oldestFirst.map((item) => ({
      value: item.duration,
      label: formatDay(item.started_at),
      title: `${formatTime(item.started_at)} · ${formatDuration(item.duration)} · ${item.outcome} · run ${item.run_id}`,
    })),
  });
  return html`<section id="durations"><h2>Duration</h2><figure><figcaption>Duration per run</figcaption>${chart}</figure></section>`;
}

function messagesSection(data: TestPageData, links: PageLinks, now: number): Raw {
  const byMessage = new Map<string, { count: number; last: TestHistoryEntry }>();
  for (const item of data.history.items) {
    if (item.outcome !== 'failed' && item.outcome !== 'error') continue;
    const key = (item.message ?? '').split('\n')[0] ?? '';
    const seen = byMessage.get(key);
    if (seen) seen.count += 1;
    else byMessage.set(key, { count: 1, last: item });
  }
  const heading = html`<h2>Failure messages</h2>`;
  if (byMessage.size === 0) return html`<section id="messages">${heading}<p class="ok">No failure in these runs.</p></section>`;
  const entries = [...byMessage.entries()].sort((a, b) => b[1].count - a[1].count);
  const rows = entries.slice(0, MESSAGES).map(([message, { count, last }]) => html`<tr>
<td><span class="message">${message ? truncate(message, 500) : 'no message'}</span></td><td class="num">${count}</td>
<td>${runLink(links, last.run_id)} ${when(last.started_at, now)}</td></tr>`);
  return html`<section id="messages">${heading}
<table><thead><tr><th scope="col">message (first line)</th><th scope="col" class="num">runs</th><th scope="col">last seen</th></tr></thead><tbody>${rows}</tbody></table>
${more(entries.length, Math.min(entries.length, MESSAGES), 'messages')}
</section>`;
}

function flakySection(data: TestPageData, links: PageLinks): Raw {
  const heading = html`<h2>Flaky evidence <small>last ${data.flakyWindow} runs of the project</small></h2>`;
  const flaky = data.flaky;
  if (!flaky) return html`<section id="flaky">${heading}<p class="ok">Not flaky in this window.</p></section>`;
  const kinds = { retry: 'Passed after retries', same_commit: 'Passed and failed on one commit', flip: 'Flipped between consecutive runs' } as const;
  const evidence = (Object.keys(kinds) as (keyof typeof kinds)[])
    .filter((kind) => flaky.evidence[kind].length > 0)
    .map((kind) => html`<dt>${kinds[kind]}</dt><dd>${flaky.evidence[kind].slice(0, EVIDENCE_RUNS).map((runId, i) => html`${i > 0 ? ', ' : ''}${runLink(links, runId)}`)}${
      flaky.evidence[kind].length > EVIDENCE_RUNS ? ` and ${flaky.evidence[kind].length - EVIDENCE_RUNS} more` : ''
    }</dd>`);
  return html`<section id="flaky">${heading}
<p>${badge('flaky')} flip rate ${formatPercent(flaky.flip_rate)}; ${flaky.passed} passed, ${flaky.failed} failed, ${flaky.flips} flips in ${flaky.runs} runs.</p>
<dl class="facts">${evidence}</dl>
</section>`;
}

function quarantineSection(data: TestPageData, now: number): Raw {
  const heading = html`<h2>Quarantine</h2>`;
  if (!data.quarantine) return html`<section id="quarantine">${heading}<p class="empty">The quarantine state cannot be read right now.</p></section>`;
  const entry = data.quarantine.items.find((item) => item.nodeid === data.nodeid);
  const changes = (data.quarantine.history ?? []).filter((change) => change.nodeid === data.nodeid).slice(0, 10);
  const state = entry
    ? html`<p>${badge('quarantined')} since ${when(entry.since, now)} by ${entry.by}${entry.expires_at ? html`, until ${when(entry.expires_at, now)}` : ', until released'}: <span class="message">${entry.reason}</span></p>`
    : html`<p class="ok">Not quarantined.</p>`;
  const rows = changes.map((change) => html`<tr><td>${when(change.at, now)}</td><td>${change.action}</td><td>${change.by}</td><td><span class="message">${change.reason}</span></td></tr>`);
  return html`<section id="quarantine">${heading}${state}${
    rows.length > 0 ? html`<table><thead><tr><th scope="col">when</th><th scope="col">change</th><th scope="col">by</th><th scope="col">reason</th></tr></thead><tbody>${rows}</tbody></table>` : ''
  }</section>`;
}

function historySection(data: TestPageData, links: PageLinks, now: number): Raw {
  const rows = data.history.items.map((item) => html`<tr>
<td>${link(links.run(item.run_id), when(item.started_at, now))}</td><td>${badge(item.outcome)}</td><td class="num">${formatDuration(item.duration)}</td>
<td class="num">${item.attempts}</td><td>${branchLink(links, data.project, item.branch)}</td><td>${commitLink(links, { ...item, project: data.project })}</td>
<td>${workerLink(links, item.worker_id)}</td>
<td>${item.message ? html`<span class="message">${truncate(item.message, 500)}</span>` : ''}</td>
</tr>`);
  return html`<section id="history"><h2>History <small>newest first</small></h2>
<table><thead><tr><th scope="col">run</th><th scope="col">outcome</th><th scope="col" class="num">duration</th><th scope="col" class="num">attempts</th><th scope="col">branch</th><th scope="col">commit</th><th scope="col">worker</th><th scope="col">message</th></tr></thead>
<tbody>${rows}</tbody></table>
</section>`;
}

/** `/tests?project=&nodeid=`: one test's outcomes over its last runs, durations, messages, flaky evidence and quarantine. */
export function renderTestPage(data: TestPageData, links: PageLinks): RenderedPage {
  const now = Date.parse(data.generatedAt);
  const { history } = data;
  const where = history.file ? html`<code>${history.file}${history.line !== null ? `:${history.line}` : ''}</code>` : '–';
  const body = html`<header id="summary" class="summary">
<h1>Test <code class="nodeid">${data.nodeid}</code></h1>
<dl class="facts"><dt>Project</dt><dd>${link(links.project(data.project), data.project)}</dd><dt>File</dt><dd>${where}</dd>
<dt>Branch</dt><dd>${data.branch === null ? html`all branches` : html`${branchLink(links, data.project, data.branch)} (${link(links.test(data.project, data.nodeid), 'all branches')})`}</dd>
<dt>Runs</dt><dd>${history.items.length} results among the project's newest ${history.runs_scanned} runs</dd></dl>
</header>
${quarantineSection(data, now)}
${stripSection(data, links)}
${durationSection(data)}
${messagesSection(data, links, now)}
${flakySection(data, links)}
${historySection(data, links, now)}`;
  return renderPage({
    title: `Test ${data.nodeid} of ${data.project}`,
    crumbs: [{ label: 'Projects', href: links.home() }, { label: data.project, href: links.project(data.project) }, { label: html`test <code class="nodeid">${data.nodeid}</code>` }],
    links,
    generatedAt: data.generatedAt,
    body,
  });
}
