import type { DigestData } from './digest-data.js';
import { html, type Raw } from '../render/escape.js';
import { formatDay, formatPercent, formatTime } from '../render/format.js';
import { publicLinks, type PageLinks } from '../render/links.js';
import { compileMjml, EMAIL_HEAD, textHeading } from './mjml.js';
import { quarantineMjml, quarantineText } from './quarantine-mail.js';

/** A rendered e-mail: subject, HTML part and plain-text part. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  mjml: string;
}

const GREEN = '#1a7f37';
const RED = '#cf222e';

/** `+2.5 pp` / `−1 pp` / `±0 pp`; null → `–`. */
export function formatChange(delta: number | null): string {
  if (delta === null) return '–';
  const pp = Math.round(delta * 1000) / 10;
  if (pp === 0) return '±0 pp';
  return `${pp > 0 ? '+' : '−'}${Math.abs(pp)} pp`;
}

const firstLine = (text: string | null | undefined) => (text ?? '').split('\n')[0] ?? '';

function periodLabel(data: DigestData): string {
  return `${formatTime(data.since)} – ${formatTime(data.until)}`;
}

function bar(rate: number | null): Raw {
  if (rate === null) return html`<td class="muted" style="font-size:12px">no tests ran</td>`;
  const pct = Math.max(0, Math.min(100, Math.round(rate * 100)));
  const colour = rate >= 0.95 ? GREEN : rate >= 0.8 ? '#bf8700' : RED;
  const cells = [
    pct > 0 ? html`<td width="${pct}%" height="10" bgcolor="${colour}" style="background:${colour};height:10px;line-height:10px;font-size:0">&nbsp;</td>` : '',
    pct < 100 ? html`<td width="${100 - pct}%" height="10" bgcolor="#eaeef2" style="background:#eaeef2;height:10px;line-height:10px;font-size:0">&nbsp;</td>` : '',
  ];
  return html`<td><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse"><tr>${cells}</tr></table></td>`;
}

function trendTable(data: DigestData): Raw {
  if (data.trend.length === 0) return html`<mj-text css-class="muted">No finished runs yet.</mj-text>`;
  const rows = data.trend.map(
    (p) => html`<tr><td width="64" style="padding:3px 8px 3px 0;white-space:nowrap" class="muted">${formatDay(p.started_at)}</td>${bar(p.pass_rate)}<td width="56" align="right" style="padding:3px 0 3px 8px;white-space:nowrap">${formatPercent(p.pass_rate)}</td></tr>`,
  );
  return html`<mj-table>${rows}</mj-table>`;
}

function failureRows(items: DigestData['newFailures'], withCounts: boolean, pages: PageLinks | null): Raw {
  return html`<mj-table>${items.map(
    (f) => html`<tr><td style="padding:6px 0;border-bottom:1px solid #eaeef2"><div class="nodeid">${
      pages ? html`<a href="${pages.test(f.project, f.nodeid)}" style="color:#0969da">${f.nodeid}</a>` : f.nodeid
    }</div>${
      f.last_message ? html`<div class="msg">${firstLine(f.last_message)}</div>` : ''
    }${withCounts ? html`<div class="muted" style="font-size:12px">failed ${f.failures} of ${f.runs} runs (${formatPercent(f.failure_rate)})</div>` : ''}</td></tr>`,
  )}</mj-table>`;
}

function digestMjml(data: DigestData): string {
  const { current } = data;
  const pages = publicLinks(data.publicUrl);
  const change = data.passRateChange;
  const changeColour = change === null || Math.abs(change) < 0.0005 ? '#59636e' : change > 0 ? GREEN : RED;
  const kpi = (label: string, value: string, note: Raw | string = '') => html`
      <mj-column width="33%">
        <mj-text align="center" padding="8px 4px 0"><span class="muted" style="font-size:12px;text-transform:uppercase;letter-spacing:0.04em">${label}</span></mj-text>
        <mj-text align="center" padding="0 4px" font-size="26px" line-height="32px" font-weight="700">${value}</mj-text>
        <mj-text align="center" padding="0 4px 8px" font-size="12px">${note}</mj-text>
      </mj-column>`;
  const sections: Raw[] = [];
  sections.push(html`
    <mj-section background-color="#24292f" padding="16px 0">
      <mj-column>
        <mj-text color="#ffffff" font-size="12px" padding="0 24px" css-class="brand">pytest-platform · digest</mj-text>
        <mj-text color="#ffffff" font-size="22px" line-height="28px" font-weight="700" padding="4px 24px">${data.project}</mj-text>
        <mj-text color="#d0d7de" font-size="12px" padding="0 24px">${periodLabel(data)}</mj-text>
      </mj-column>
    </mj-section>
    <mj-section padding="8px 0 0">
      ${kpi('Runs', String(current.runs), html`<span class="muted">${data.previous.runs} before</span>`)}
      ${kpi('Pass rate', formatPercent(current.passRate), html`<span style="color:${changeColour}">${formatChange(change)}</span>`)}
      ${kpi('Failed tests', String(current.failed + current.errors), html`<span class="muted">${current.passed} passed</span>`)}
    </mj-section>`);
  sections.push(html`
    <mj-section>
      <mj-column>
        <mj-text font-size="16px" font-weight="700" padding="8px 24px 4px">Pass rate, last ${data.trend.length} runs</mj-text>
        ${trendTable(data)}
      </mj-column>
    </mj-section>`);
  sections.push(html`
    <mj-section>
      <mj-column>
        <mj-text font-size="16px" font-weight="700" padding="8px 24px 4px">New failures (${data.newFailures.length})</mj-text>
        ${data.newFailures.length === 0 ? html`<mj-text css-class="muted">No test started failing in this period.</mj-text>` : failureRows(data.newFailures.slice(0, 10), false, pages)}
      </mj-column>
    </mj-section>`);
  sections.push(html`
    <mj-section>
      <mj-column>
        <mj-text font-size="16px" font-weight="700" padding="8px 24px 4px">Most frequent failures</mj-text>
        ${data.topFailures.length === 0 ? html`<mj-text css-class="muted">No failures in this period.</mj-text>` : failureRows(data.topFailures, true, pages)}
      </mj-column>
    </mj-section>`);
  sections.push(quarantineMjml(data.quarantine, data.quarantineChanges));
  if (data.offlineWorkers.length > 0) {
    sections.push(html`
    <mj-section>
      <mj-column>
        <mj-text font-size="16px" font-weight="700" padding="8px 24px 4px">Workers gone offline</mj-text>
        <mj-table>${data.offlineWorkers.map(
          (w) => html`<tr><td style="padding:4px 0" class="nodeid">${pages ? html`<a href="${pages.workers(w.worker_id)}" style="color:#0969da">${w.worker_id}</a>` : w.worker_id}</td><td align="right" class="muted" style="padding:4px 0">last seen ${formatTime(w.last_seen)}</td></tr>`,
        )}</mj-table>
      </mj-column>
    </mj-section>`);
  }
  if (pages) {
    sections.push(html`
    <mj-section>
      <mj-column>
        <mj-button href="${pages.project(data.project)}" background-color="#1f6feb" color="#ffffff" font-size="14px" border-radius="6px" padding="12px 24px 4px">Open the project</mj-button>
        <mj-text align="center" padding="8px 24px"><a href="${pages.report(data.project)}" style="color:#0969da">Open the HTML report</a></mj-text>
      </mj-column>
    </mj-section>`);
  }
  sections.push(html`
    <mj-section background-color="#f6f8fa" padding="8px 0">
      <mj-column>
        <mj-text font-size="11px" line-height="16px" color="#59636e">Pass rate is passed / (passed + failed + errors) over the finished runs of the period; the change compares it with the ${data.days === 1 ? 'day' : `${data.days} days`} before. Sent by pytest-platform.</mj-text>
      </mj-column>
    </mj-section>`);
  return `<mjml>
  <mj-head>
    <mj-title>${html`${data.project}: test digest`}</mj-title>
    <mj-preview>${html`${formatPercent(current.passRate)} pass rate, ${current.runs} runs, ${data.newFailures.length} new failures`}</mj-preview>${EMAIL_HEAD}
  </mj-head>
  <mj-body width="600px" background-color="#f6f8fa">${sections.map((s) => s.value).join('')}
  </mj-body>
</mjml>`;
}

function digestText(data: DigestData): string {
  const { current } = data;
  const pages = publicLinks(data.publicUrl);
  const lines = [
    `pytest-platform digest: ${data.project}`,
    `Period: ${periodLabel(data)}`,
    '',
    `Runs: ${current.runs} (${data.previous.runs} in the period before)`,
    `Pass rate: ${formatPercent(current.passRate)} (${formatChange(data.passRateChange)})`,
    `Tests passed: ${current.passed}, failed: ${current.failed}, errors: ${current.errors}, skipped: ${current.skipped}`,
    '',
    textHeading(`Pass rate, last ${data.trend.length} runs`),
    ...data.trend.map((p) => `${formatDay(p.started_at).padEnd(7)} ${'#'.repeat(Math.round((p.pass_rate ?? 0) * 20)).padEnd(20, '.')} ${formatPercent(p.pass_rate)}`),
    '',
    textHeading(`New failures (${data.newFailures.length})`),
    ...(data.newFailures.length === 0 ? ['none'] : data.newFailures.slice(0, 10).flatMap((f) => [
      `- ${f.nodeid}`, ...(f.last_message ? [`  ${firstLine(f.last_message)}`] : []), ...(pages ? [`  ${pages.test(f.project, f.nodeid)}`] : []),
    ])),
    '',
    textHeading('Most frequent failures'),
    ...(data.topFailures.length === 0 ? ['none'] : data.topFailures.map((f) => `- ${f.nodeid}: failed ${f.failures} of ${f.runs} runs (${formatPercent(f.failure_rate)})`)),
    ...quarantineText(data.quarantine, data.quarantineChanges),
  ];
  if (data.offlineWorkers.length > 0) {
    lines.push('', textHeading('Workers gone offline'), ...data.offlineWorkers.map((w) => `- ${w.worker_id} (last seen ${formatTime(w.last_seen)})`));
  }
  if (pages) lines.push('', `Project page: ${pages.project(data.project)}`, `HTML report: ${pages.report(data.project)}`);
  return `${lines.join('\n')}\n`;
}

/** The daily digest of one project as MJML-compiled HTML plus a plain-text alternative. */
export async function renderDigestEmail(data: DigestData): Promise<RenderedEmail> {
  const mjml = digestMjml(data);
  const subject = `[pytest-platform] ${data.project}: ${formatPercent(data.current.passRate)} pass rate, ${data.current.runs} runs, ${data.newFailures.length} new failures`;
  return { subject, html: await compileMjml(mjml), text: digestText(data), mjml };
}
