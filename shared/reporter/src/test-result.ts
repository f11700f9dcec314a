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
}

const seconds = (value: number | null | undefined) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;

/** Fits a draft to the RunResult v1 limits: cleans and truncates text, clamps numbers. */
export function toTestResult(draft: TestDraft): TestResult {
  const attempts = Math.trunc(draft.attempts ?? 1);
  const line = draft.line;
  const message = firstLine(draft.message);
  const longrepr = nonBlank(draft.longrepr);
  const file = nonBlank(draft.file);
  return {
    nodeid: truncate(cleanText(draft.nodeid), limits.nodeidLength) || 'unnamed',
    outcome: draft.outcome,
    duration: seconds(draft.duration),
    message: message === null ? null : truncate(message, limits.messageLength),
    longrepr: longrepr === null ? null : truncate(longrepr, limits.longreprLength),
    attempts: Number.isFinite(attempts) ? Math.min(1000, Math.max(1, attempts)) : 1,
    file: file === null ? null : truncate(file, limits.fileLength),
    line: typeof line === 'number' && Number.isInteger(line) && line >= 0 ? line : null,
  };
}
