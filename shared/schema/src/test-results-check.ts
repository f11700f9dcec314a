import { limits } from './limits.js';
import { outcomes, type Outcome, type TestResult } from './run-result.js';
import { isWellFormedText } from './unicode.js';

/** How many tests a list may hold, and whether node ids must be unique (a whole run's list). */
export interface TestListRule {
  min: number;
  max: number;
  uniqueNodeids: boolean;
}

const OUTCOMES: ReadonlySet<string> = new Set(outcomes);

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max && isWellFormedText(value);

const nullableText = (value: unknown, max: number): string | null | undefined =>
  value === undefined || value === null ? null : isText(value, max) ? value : undefined;

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function checkTags(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value) || value.length > limits.tagsPerTest) return undefined;
  for (const tag of value as unknown[]) if (!isText(tag, limits.tagLength) || tag.length === 0) return undefined;
  return value as string[];
}

/** One test as `TestResultSchema` parses it, or null for anything zod might see otherwise. */
function checkTest(raw: unknown): TestResult | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const t = raw as Record<string, unknown>;
  const { nodeid, outcome, duration = 0, attempts = 1, line = null } = t;
  if (!isText(nodeid, limits.nodeidLength) || nodeid.length === 0) return null;
  if (typeof outcome !== 'string' || !OUTCOMES.has(outcome)) return null;
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) return null;
  if (!isCount(attempts) || attempts < 1 || attempts > 1000) return null;
  if (line !== null && !isCount(line)) return null;
  const message = nullableText(t.message, limits.messageLength);
  const longrepr = nullableText(t.longrepr, limits.longreprLength);
  const file = nullableText(t.file, limits.fileLength);
  if (message === undefined || longrepr === undefined || file === undefined) return null;
  const test: TestResult = { nodeid, outcome: outcome as Outcome, duration, message, longrepr, attempts, file, line };
  if (t.tags !== undefined) {
    const tags = checkTags(t.tags);
    if (tags === undefined) return null;
    test.tags = tags as string[];
  }
  if (t.quarantined !== undefined) {
    if (typeof t.quarantined !== 'boolean') return null;
    test.quarantined = t.quarantined;
  }
  return test;
}

/**
 * The hot path of entry validation: a list of tests checked field by field against the same
 * contract as `TestResultSchema` (its limits, outcomes and well-formedness rule), built as zod
 * would build it (defaults applied, unknown keys left out), without zod's per-value machinery.
 * Returns null for anything it does not accept outright; the caller then asks zod, whose
 * verdict (and reason) stands. It never accepts what zod refuses.
 */
export function checkTestResults(value: unknown, rule: TestListRule): TestResult[] | null {
  if (!Array.isArray(value) || value.length < rule.min || value.length > rule.max) return null;
  const items = value as unknown[];
  const tests = new Array<TestResult>(items.length);
  const seen = rule.uniqueNodeids ? new Set<string>() : null;
  for (let i = 0; i < items.length; i++) {
    const test = checkTest(items[i]);
    if (test === null) return null;
    if (seen !== null) {
      if (seen.has(test.nodeid)) return null;
      seen.add(test.nodeid);
    }
    tests[i] = test;
  }
  return tests;
}
