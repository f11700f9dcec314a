import type { Outcome, QuarantineEntry } from '@pytest-platform/schema';
import { html, type Raw } from './escape.js';
import type { PageLinks } from './links.js';
import { badge, more, testLink, when } from './page-parts.js';

/** A quarantined test and how it did in the latest run. */
export interface QuarantinedTest extends QuarantineEntry {
  /** Its outcome in the latest run of the report; null when that run did not run it (or there is none). */
  latest_outcome: Outcome | null;
}

/** Quarantined tests listed in a report; the rest are counted. */
export const QUARANTINE_SHOWN = 50;

/** The report's quarantine section: each quarantined test, its state in the latest run, why, by whom, since and until when. */
export function quarantineSection(project: string, tests: readonly QuarantinedTest[], links: PageLinks | null, now: number): Raw {
  const heading = html`<h2>Quarantined tests <small>still run and reported; their failures do not fail a run with the quarantine option</small></h2>`;
  if (tests.length === 0) return html`<section id="quarantine">${heading}<p class="ok">No test is quarantined.</p></section>`;
  const shown = tests.slice(0, QUARANTINE_SHOWN);
  const failing = shown.filter((t) => t.latest_outcome === 'failed' || t.latest_outcome === 'error').length;
  const among = tests.length > shown.length ? ` of the first ${shown.length}` : '';
  const rows = shown.map((t) => html`<tr>
<td>${testLink(links, project, t.nodeid)}<div class="message">${t.reason}</div></td>
<td>${t.latest_outcome === null ? html`<span class="empty">not run</span>` : badge(t.latest_outcome)}</td>
<td>${t.by === 'auto' ? 'automatic' : 'by hand (API)'}</td>
<td>${when(t.since, now)}</td>
<td>${t.expires_at === null ? '–' : when(t.expires_at, now)}</td>
</tr>`);
  return html`<section id="quarantine">${heading}
<p class="meta">${tests.length} quarantined; ${failing}${among} failing in the latest run</p>
<table><thead><tr><th>test and why</th><th>latest run</th><th>quarantined</th><th>since</th><th>until</th></tr></thead>
<tbody>${rows}</tbody></table>
${more(tests.length, shown.length, 'quarantined tests')}
</section>`;
}
