import type { QuarantineChange, QuarantineEntry } from '@pytest-platform/schema';
import { html, type Raw } from '../render/escape.js';
import { formatTime } from '../render/format.js';
import { textHeading } from './mjml.js';

/** Entries and changes listed in one e-mail section; the rest are counted. */
const QUARANTINE_MAIL_ROWS = 10;

const who = (by: QuarantineEntry['by']) => (by === 'auto' ? 'automatically' : 'through the API');
const changeLine = (c: QuarantineChange) => `${c.action} ${who(c.by)} ${formatTime(c.at)}: ${c.reason}`;
const entryLine = (e: QuarantineEntry) => `since ${formatTime(e.since)}, ${who(e.by)}${e.expires_at ? `, until ${formatTime(e.expires_at)}` : ''}: ${e.reason}`;

function rows(items: readonly { nodeid: string; line: string }[], total: number): Raw {
  return html`<mj-table>${items.map(
    (i) => html`<tr><td style="padding:6px 0;border-bottom:1px solid #eaeef2"><div class="nodeid">${i.nodeid}</div><div class="muted" style="font-size:12px">${i.line}</div></td></tr>`,
  )}</mj-table>${total > items.length ? html`<mj-text css-class="muted">and ${total - items.length} more</mj-text>` : ''}`;
}

/** An e-mail section listing quarantine changes (oldest first); nothing when there are none. */
export function quarantineChangesMjml(title: string, changes: readonly QuarantineChange[]): Raw | '' {
  if (changes.length === 0) return '';
  const shown = changes.slice(-QUARANTINE_MAIL_ROWS).map((c) => ({ nodeid: c.nodeid, line: changeLine(c) }));
  return html`
    <mj-section>
      <mj-column>
        <mj-text font-size="16px" font-weight="700" padding="8px 24px 4px">${title}</mj-text>
        ${rows(shown, changes.length)}
      </mj-column>
    </mj-section>`;
}

export function quarantineChangesText(title: string, changes: readonly QuarantineChange[]): string[] {
  if (changes.length === 0) return [];
  const shown = changes.slice(-QUARANTINE_MAIL_ROWS);
  const lines = ['', textHeading(title), ...shown.flatMap((c) => [`- ${c.nodeid}`, `  ${changeLine(c)}`])];
  if (changes.length > shown.length) lines.push(`and ${changes.length - shown.length} more`);
  return lines;
}

/** The digest's section: the tests quarantined now, and the changes of the period. */
export function quarantineMjml(entries: readonly QuarantineEntry[], changes: readonly QuarantineChange[]): Raw {
  const shown = entries.slice(0, QUARANTINE_MAIL_ROWS).map((e) => ({ nodeid: e.nodeid, line: entryLine(e) }));
  return html`
    <mj-section>
      <mj-column>
        <mj-text font-size="16px" font-weight="700" padding="8px 24px 4px">Quarantined tests (${entries.length})</mj-text>
        ${entries.length === 0 ? html`<mj-text css-class="muted">No test is quarantined.</mj-text>` : rows(shown, entries.length)}
      </mj-column>
    </mj-section>${quarantineChangesMjml('Quarantine changes in this period', changes)}`;
}

export function quarantineText(entries: readonly QuarantineEntry[], changes: readonly QuarantineChange[]): string[] {
  const shown = entries.slice(0, QUARANTINE_MAIL_ROWS);
  const lines = ['', textHeading(`Quarantined tests (${entries.length})`), ...(entries.length === 0 ? ['none'] : shown.flatMap((e) => [`- ${e.nodeid}`, `  ${entryLine(e)}`]))];
  if (entries.length > shown.length) lines.push(`and ${entries.length - shown.length} more`);
  return [...lines, ...quarantineChangesText('Quarantine changes in this period', changes)];
}
