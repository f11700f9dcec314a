import { toWellFormedText } from '@pytest-platform/schema';

// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
// C0 controls other than tab, LF and CR, plus DEL: not allowed in XML 1.0, noise in a report.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Removes ANSI colour sequences and control characters a terminal or an XML file may carry, and
 * writes a lone surrogate (half of a character, which no receiver takes) as U+FFFD.
 */
export function cleanText(text: string): string {
  return toWellFormedText(text.replace(ANSI_ESCAPE, '').replace(CONTROL, ''));
}

/** The first non-blank line of `text`, trimmed; `null` when there is none. */
export function firstLine(text: string | null | undefined): string | null {
  if (!text) return null;
  for (const line of cleanText(text).split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed) return trimmed;
  }
  return null;
}

/** `text` cleaned, or `null` when it is empty or whitespace only. */
export function nonBlank(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const cleaned = cleanText(text);
  return cleaned.trim() ? cleaned : null;
}
