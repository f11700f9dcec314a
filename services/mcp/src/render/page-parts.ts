import { html, httpUrl, type Raw } from './escape.js';
import { formatAge, formatTime } from './format.js';
import type { PageLinks } from './links.js';

/** A status or outcome as a coloured label. */
export const badge = (status: string): Raw => html`<span class="badge ${status}">${status}</span>`;

/** `content` as a link to `href`, or as it is when there is no link to make. */
export const link = (href: string | null | undefined, content: unknown, className?: string): Raw =>
  href ? html`<a href="${href}"${className ? html` class="${className}"` : ''}>${content}</a>` : html`${content}`;

/** A time in UTC with its age: `2026-11-26 10:00 UTC (3 h ago)`. */
export function when(iso: string | null | undefined, now: number): Raw {
  if (!iso) return html`–`;
  const age = formatAge(iso, now);
  return html`<time datetime="${iso}">${formatTime(iso)}</time>${age ? html` <span class="age">(${age})</span>` : ''}`;
}

/** One figure of a summary header. */
export const stat = (label: string, value: string | number, className = ''): Raw =>
  html`<div class="stat ${className}"><span class="value">${value}</span><span class="label">${label}</span></div>`;

/** What a link to a commit needs from a run. */
interface CommitOf {
  project: string;
  branch: string | null;
  commit: string | null;
  environment?: Record<string, string> | undefined;
}

/** The run's CI link (`environment.ci_url`) when it is an http(s) URL. */
export const ciUrl = (run: { environment?: Record<string, string> | undefined }): string | null => httpUrl(run.environment?.ci_url);

/** A commit as a link: to the run's CI page when it has one, else to the project's runs on that branch. */
export function commitLink(links: PageLinks | null, run: CommitOf): Raw {
  if (!run.commit) return html`–`;
  const code = html`<code>${run.commit}</code>`;
  if (!links) return code;
  return link(ciUrl(run) ?? links.project(run.project, run.branch), code);
}

/** A branch as a link to the project's page on that branch. */
export const branchLink = (links: PageLinks | null, project: string, branch: string | null): Raw =>
  branch === null ? html`–` : link(links?.project(project, branch), html`<code>${branch}</code>`);

/** A worker as a link to its row on the workers page. */
export const workerLink = (links: PageLinks | null, workerId: string): Raw => link(links?.workers(workerId), html`<code>${workerId}</code>`);

/** A node id as a link to the test's page. */
export const testLink = (links: PageLinks | null, project: string, nodeid: string): Raw =>
  link(links?.test(project, nodeid), html`<code class="nodeid">${nodeid}</code>`);

/** A run id as a link to its page. */
export const runLink = (links: PageLinks | null, runId: string): Raw => link(links?.run(runId), html`<code>${runId}</code>`);

/** "and K more …" under a list cut at `shown`. */
export const more = (total: number, shown: number, noun: string): Raw | '' =>
  total > shown ? html`<p class="more">and ${total - shown} more ${noun}</p>` : '';
