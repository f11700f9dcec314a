import { limits, truncate } from '@pytest-platform/schema';
import type { Outcome, TestResult } from '@pytest-platform/schema';
import { cleanText, firstLine, nonBlank } from './text.js';

/** What a reporter or importer knows about one test before it is fitted to the wire limits. */
export interface TestDraft {
  nodeid: string;
  outcome: Outcome;
  /** Seconds; negative, non-finite or missing becomes 0. */
  duration?: number | null;
  /** Any text: only its first non-blank line is kept. */
  message?: string | null;
  longrepr?: string | null;
  attempts?: number | null;
  file?: string | null;
  line?: number | null;
  /** Markers, tags, annotations, properties; cleaned, de-duplicated and fitted by {@link fitTags}. */
  tags?: readonly string[] | null;
}

const seconds = (value: number | null | undefined) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;

/**
 * Tags as the wire takes them: each on one line with runs of blanks as one space, blank ones
 * dropped, each cut to `limits.tagLength`, de-duplicated in order, at most `limits.tagsPerTest`.
 */
function fitTags(tags: readonly string[] | null | undefined): string[] {
  const fitted: string[] = [];
  for (const tag of tags ?? []) {
    if (fitted.length >= limits.tagsPerTest) break;
    if (typeof tag !== 'string') continue;
    // `@smoke` (Playwright, Cypress/CTRF) and a `smoke` marker are one tag: `?tag=smoke` finds both.
    let clean = cleanText(tag).replace(/\s+/g, ' ').trim().replace(/^@+/, '').slice(0, limits.tagLength);
    if (/[\uD800-\uDBFF]$/.test(clean)) clean = clean.slice(0, -1);
    clean = clean.trimEnd();
    if (clean !== '' && !fitted.includes(clean)) fitted.push(clean);
  }
  return fitted;
}

/** Fits a draft to the RunResult v1 limits: cleans and truncates text, clamps numbers. */
export function toTestResult(draft: TestDraft): TestResult {
  const attempts = Math.trunc(draft.attempts ?? 1);
  const line = draft.line;
  const message = firstLine(draft.message);
  const longrepr = nonBlank(draft.longrepr);
  const file = nonBlank(draft.file);
  const tags = fitTags(draft.tags);
  const test: TestResult = {
    nodeid: truncate(cleanText(draft.nodeid), limits.nodeidLength) || 'unnamed',
    outcome: draft.outcome,
    duration: seconds(draft.duration),
    message: message === null ? null : truncate(message, limits.messageLength),
    longrepr: longrepr === null ? null : truncate(longrepr, limits.longreprLength),
    attempts: Number.isFinite(attempts) ? Math.min(1000, Math.max(1, attempts)) : 1,
    file: file === null ? null : truncate(file, limits.fileLength),
    line: typeof line === 'number' && Number.isInteger(line) && line >= 0 ? line : null,
  };
  if (tags.length > 0) test.tags = tags;
  return test;
}
