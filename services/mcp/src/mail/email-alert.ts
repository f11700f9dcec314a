import type { QuarantineChange } from '@pytest-platform/schema';
import { html, httpUrl } from '../render/escape.js';
import { publicLinks } from '../render/links.js';
import type { RenderedEmail } from './email-digest.js';
import { formatTime } from '../render/format.js';
import { compileMjml, EMAIL_HEAD, textHeading } from './mjml.js';
import { quarantineChangesMjml, quarantineChangesText } from './quarantine-mail.js';

/** One test that newly failed. */
export interface AlertTest {
  nodeid: string;
  outcome: 'failed' | 'error';
  message: string | null;
}

/** What a new-failure alert shows: the run, and the tests that newly failed in it. */
export interface AlertData {
  project: string;
  branch: string;
  commit: string | null;
  worker_id: string;
  run_id: string;
  started_at: string;
  /** `environment.ci_url` of the run, when the worker sent one. */
  ci_url: string | null;
  tests: AlertTest[];
  /** `PUBLIC_URL`: the alert links to the run's page, each test's page and the report; `null`: no links. */
  publicUrl: string | null;
  /** Quarantine changes of the project since its previous alert, oldest first. */
  quarantine?: QuarantineChange[] | undefined;
}

/** Tests listed in one alert; the rest are counted. */
const ALERT_MAX_TESTS = 50;

const firstLine = (text: string | null) => (text ?? '').split('\n')[0] ?? '';

function alertMjml(data: AlertData): string {
  const shown = data.tests.slice(0, ALERT_MAX_TESTS);
  const more = data.tests.length - shown.length;
  const pages = publicLinks(data.publicUrl);
  const fact = (label: string, value: unknown) =>
    html`<tr><td width="90" class="muted" style="padding:3px 8px 3px 0;vertical-align:top">${label}</td><td class="nodeid" style="padding:3px 0">${value ?? '–'}</td></tr>`;
  const linked = (href: string | undefined, text: string) => (href ? html`<a href="${href}" style="color:#0969da">${text}</a>` : text);
  const links = [
    pages ? html`<mj-button href="${pages.run(data.run_id)}" background-color="#1f6feb" color="#ffffff" font-size="14px" border-radius="6px" padding="12px 24px 4px">Open the run</mj-button>` : '',
    pages ? html`<mj-text align="center" padding="8px 24px 0"><a href="${pages.report(data.project, data.branch)}" style="color:#0969da">Open the report</a></mj-text>` : '',
    httpUrl(data.ci_url) ? html`<mj-text align="center" padding="8px 24px"><a href="${httpUrl(data.ci_url)}" style="color:#0969da">Open the CI run</a></mj-text>` : '',
  ];
  const body = html`
    <mj-section background-color="#cf222e" padding="16px 0">
      <mj-column>
        <mj-text color="#ffffff" font-size="12px" padding="0 24px">pytest-platform · new failure</mj-text>
        <mj-text color="#ffffff" font-size="22px" line-height="28px" font-weight="700" padding="4px 24px">${data.tests.length === 1 ? '1 test' : `${data.tests.length} tests`} newly failing on ${data.branch}</mj-text>
        <mj-text color="#ffe1e1" font-size="13px" padding="0 24px">${data.project}</mj-text>
      </mj-column>
    </mj-section>
    <mj-section>
      <mj-column>
        <mj-table>
          ${fact('Project', data.project)}${fact('Branch', data.branch)}${fact('Commit', data.commit)}${fact('Worker', data.worker_id)}${fact('Run', linked(pages?.run(data.run_id), data.run_id))}${fact('Started', formatTime(data.started_at))}
        </mj-table>
      </mj-column>
    </mj-section>
    <mj-section>
      <mj-column>
        <mj-text font-size="16px" font-weight="700" padding="8px 24px 4px">Newly failing</mj-text>
        <mj-table>${shown.map(
          (t) => html`<tr><td style="padding:6px 0;border-bottom:1px solid #eaeef2"><div class="nodeid">${linked(pages?.test(data.project, t.nodeid), t.nodeid)}</div>${
            t.message ? html`<div class="msg">${firstLine(t.message)}</div>` : html`<div class="muted" style="font-size:12px">${t.outcome}</div>`
          }</td></tr>`,
        )}</mj-table>
        ${more > 0 ? html`<mj-text css-class="muted">and ${more} more</mj-text>` : ''}
      </mj-column>
    </mj-section>${quarantineChangesMjml(`Quarantine changes in ${data.project}`, data.quarantine ?? [])}
    <mj-section>
      <mj-column>${links}</mj-column>
    </mj-section>
    <mj-section background-color="#f6f8fa" padding="8px 0">
      <mj-column>
        <mj-text font-size="11px" line-height="16px" color="#59636e">You get one alert when a test starts failing on a watched branch, and another only after it has passed and failed again. Sent by pytest-platform.</mj-text>
      </mj-column>
    </mj-section>`;
  return `<mjml>
  <mj-head>
    <mj-title>${html`${data.project}@${data.branch}: new failures`}</mj-title>
    <mj-preview>${html`${shown[0]?.nodeid ?? ''}`}</mj-preview>${EMAIL_HEAD}
  </mj-head>
  <mj-body width="600px" background-color="#f6f8fa">${body.value}
  </mj-body>
</mjml>`;
}

function alertText(data: AlertData): string {
  const shown = data.tests.slice(0, ALERT_MAX_TESTS);
  const pages = publicLinks(data.publicUrl);
  const lines = [
    `pytest-platform: ${data.tests.length} test(s) newly failing on ${data.project}@${data.branch}`,
    '',
    `Project: ${data.project}`,
    `Branch:  ${data.branch}`,
    `Commit:  ${data.commit ?? '–'}`,
    `Worker:  ${data.worker_id}`,
    `Run:     ${data.run_id}`,
    `Started: ${formatTime(data.started_at)}`,
    '',
    textHeading('Newly failing'),
    ...shown.flatMap((t) => [`- ${t.nodeid}`, `  ${t.message ? firstLine(t.message) : t.outcome}`, ...(pages ? [`  ${pages.test(data.project, t.nodeid)}`] : [])]),
  ];
  if (data.tests.length > shown.length) lines.push(`and ${data.tests.length - shown.length} more`);
  lines.push(...quarantineChangesText(`Quarantine changes in ${data.project}`, data.quarantine ?? []));
  if (pages) lines.push('', `Run page: ${pages.run(data.run_id)}`, `Report: ${pages.report(data.project, data.branch)}`);
  if (data.ci_url) lines.push(`CI run: ${data.ci_url}`);
  return `${lines.join('\n')}\n`;
}

/** The new-failure alert as MJML-compiled HTML plus a plain-text alternative. */
export async function renderAlertEmail(data: AlertData): Promise<RenderedEmail> {
  const mjml = alertMjml(data);
  const first = data.tests[0]?.nodeid ?? '';
  const subject = data.tests.length === 1
    ? `[pytest-platform] ${data.project}@${data.branch}: new failure ${first}`
    : `[pytest-platform] ${data.project}@${data.branch}: ${data.tests.length} new failures`;
  return { subject, html: await compileMjml(mjml), text: alertText(data), mjml };
}
