import { XMLParser } from 'fast-xml-parser';
import { limits, statusFromSummary, summarize } from '@pytest-platform/schema';
import type { Outcome, RunResult, TestResult } from '@pytest-platform/schema';
import { ImportError } from './import-error.js';
import type { ImportContext } from './import-context.js';
import { runEnd, runHeader } from './import-context.js';
import { toTestResult } from './test-result.js';
import type { TestDraft } from './test-result.js';
import { UniqueNodeids } from './unique-nodeids.js';

type XmlNode = Record<string, unknown>;

const ARRAY_TAGS = new Set([
  'testsuites', 'testsuite', 'testcase', 'failure', 'error', 'skipped', 'flakyFailure', 'flakyError', 'rerunFailure', 'rerunError',
]);
const ROOTS = ['testsuites', 'testsuite', 'testrun'] as const;
const SKIP_STATUSES = new Set(['skipped', 'skip', 'disabled', 'ignored', 'notrun', 'not_run', 'pending']);
/** A `time` above this many seconds (11 days) is taken to be nanoseconds (container-structure-test writes those). */
const NANOSECOND_THRESHOLD = 1e6;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributesGroupName: '@',
  attributeNamePrefix: '',
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: false,
  // Internal entities only, bounded; fast-xml-parser never fetches or reads external ones.
  processEntities: { enabled: true, maxEntityCount: 100, maxEntitySize: 10_000, maxTotalExpansions: 10_000, maxExpandedLength: 1_000_000 },
  stopNodes: ['*.system-out', '*.system-err'],
  isArray: (name) => ARRAY_TAGS.has(name),
});

const EXTERNAL_ENTITY = /<!ENTITY\s+(?:%\s*)?[^\s>]+\s+(?:SYSTEM|PUBLIC)\b/i;

const list = (value: unknown): XmlNode[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((item) => (typeof item === 'object' && item !== null ? (item as XmlNode) : { '#text': String(item) }));

const attr = (node: XmlNode, name: string): string | undefined => {
  const attrs = node['@'];
  if (typeof attrs !== 'object' || attrs === null) return undefined;
  const value = (attrs as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
};

function text(node: XmlNode): string {
  const own = typeof node['#text'] === 'string' ? node['#text'] : '';
  if (own.trim()) return own;
  const stack = list(node.stackTrace)[0];
  return stack ? text(stack) : own;
}

/** Seconds from a `time` attribute; bad, negative or missing values become 0. */
export function parseJunitTime(value: string | undefined): number {
  if (value === undefined) return 0;
  const seconds = Number.parseFloat(value.replace(/,/g, ''));
  if (!Number.isFinite(seconds) || seconds < 0) return 0;
  return seconds > NANOSECOND_THRESHOLD ? seconds / 1e9 : seconds;
}

interface Problem {
  message: string | null;
  detail: string | null;
}

const problem = (node: XmlNode): Problem => {
  const message = attr(node, 'message');
  const body = text(node);
  return { message: message?.trim() ? message : body.trim() ? body : null, detail: body.trim() ? body : message ?? null };
};

const joinDetails = (problems: Problem[]) => problems.map((p) => p.detail).filter((d): d is string => d !== null).join('\n\n') || null;

/**
 * A testcase's `<properties>` as tags: a property named `tag` or `category` gives its value, `tags`
 * its comma-separated values, any other `name=value` (`name` alone without a value). The value is
 * the `value` attribute, else the element's text, on one line.
 */
function propertyTags(testcase: XmlNode): string[] {
  const tags: string[] = [];
  for (const group of list(testcase.properties)) {
    for (const property of list(group.property)) {
      const name = attr(property, 'name')?.trim() ?? '';
      const body = typeof property['#text'] === 'string' ? property['#text'] : '';
      const value = (attr(property, 'value') ?? body).replace(/\s+/g, ' ').trim();
      const key = name.toLowerCase();
      if (key === 'tag' || key === 'category') tags.push(value);
      else if (key === 'tags') tags.push(...value.split(','));
      else if (name !== '') tags.push(value === '' ? name : `${name}=${value}`);
    }
  }
  return tags;
}

interface CaseResult extends TestDraft {
  key: string;
  attempts: number;
  duration: number;
}

function readCase(testcase: XmlNode, suite: XmlNode | null): CaseResult {
  const name = attr(testcase, 'name')?.trim() || 'unnamed';
  const scope = (attr(testcase, 'classname') ?? attr(testcase, 'class'))?.trim() || (suite && attr(suite, 'name')?.trim()) || '';
  const failures = list(testcase.failure).map(problem);
  const errors = list(testcase.error).map(problem);
  const reruns = [...list(testcase.rerunFailure), ...list(testcase.rerunError)].map(problem);
  const flakes = [...list(testcase.flakyFailure), ...list(testcase.flakyError)].map(problem);
  const skipped = list(testcase.skipped);
  const status = attr(testcase, 'status')?.toLowerCase() ?? attr(testcase, 'result')?.toLowerCase();

  let outcome: Outcome = 'passed';
  let problems: Problem[] = [];
  if (failures.length > 0 || (errors.length === 0 && reruns.length > 0)) {
    outcome = 'failed';
    problems = [...failures, ...errors, ...reruns];
  } else if (errors.length > 0) {
    outcome = 'error';
    problems = [...errors, ...reruns];
  } else if (skipped.length > 0 || (status !== undefined && SKIP_STATUSES.has(status))) {
    outcome = 'skipped';
    problems = skipped.map(problem);
  } else if (flakes.length > 0) {
    problems = flakes;
  }

  const flakyAttribute = attr(testcase, 'flaky')?.toLowerCase() === 'true';
  let attempts = 1 + (outcome === 'passed' ? flakes.length : reruns.length);
  if (outcome === 'passed' && flakyAttribute) attempts = Math.max(attempts, 2);
  const line = Number.parseInt(attr(testcase, 'line') ?? '', 10);
  return {
    key: scope ? `${scope}::${name}` : name,
    nodeid: scope ? `${scope}::${name}` : name,
    outcome,
    duration: parseJunitTime(attr(testcase, 'time')),
    message: problems[0]?.message ?? null,
    longrepr: outcome === 'skipped' ? null : joinDetails(problems),
    attempts,
    file: attr(testcase, 'file') ?? (suite ? attr(suite, 'file') : undefined) ?? null,
    line: Number.isNaN(line) ? null : line,
    tags: propertyTags(testcase),
  };
}

interface Walk {
  cases: CaseResult[];
  /** `<error>`/`<failure>` written at suite level, outside any testcase. */
  suiteErrors: number;
  suiteNames: string[];
  timestamps: string[];
}

function walkSuite(suite: XmlNode, walk: Walk): void {
  walk.suiteNames.push(attr(suite, 'name') ?? '');
  const timestamp = attr(suite, 'timestamp');
  if (timestamp) walk.timestamps.push(timestamp);
  walk.suiteErrors += list(suite.error).length + list(suite.failure).length;
  for (const testcase of list(suite.testcase)) walk.cases.push(readCase(testcase, suite));
  for (const child of list(suite.testsuite)) walkSuite(child, walk);
  for (const group of list(suite.testsuites)) walkSuite(group, walk);
}

const isRetryable = (outcome: Outcome) => outcome === 'failed' || outcome === 'error';

/**
 * Folds repeated testcases into attempts. A testcase whose key (`classname::name`) matches an
 * earlier one that failed or errored is a retry of it (Gradle test-retry, pytest-rerunfailures
 * style): attempts add up, the last outcome wins. A repeat after a pass or skip is a distinct test.
 */
function mergeRetries(cases: CaseResult[]): CaseResult[] {
  const merged: CaseResult[] = [];
  const open = new Map<string, CaseResult>();
  for (const current of cases) {
    const previous = open.get(current.key);
    if (previous && isRetryable(previous.outcome)) {
      previous.attempts += current.attempts;
      previous.duration += current.duration;
      previous.tags = [...(previous.tags ?? []), ...(current.tags ?? [])];
      previous.outcome = current.outcome;
      if (current.message !== null || isRetryable(current.outcome)) {
        previous.message = current.message ?? previous.message;
        previous.longrepr = current.longrepr ?? previous.longrepr;
      }
      continue;
    }
    merged.push(current);
    open.set(current.key, current);
  }
  return merged;
}

function findRoot(document: XmlNode): { name: string; node: XmlNode } {
  for (const name of ROOTS) {
    const node = list(document[name])[0];
    if (node) return { name, node };
  }
  const element = Object.keys(document).find((key) => !key.startsWith('#') && !key.startsWith('?') && key !== '@');
  if (element === undefined) throw new ImportError('not XML: no root element');
  throw new ImportError(`not JUnit XML: root element <${element}>, expected <testsuites> or <testsuite>`);
}

/** Parses JUnit XML text (already decoded) into one RunResult. Throws {@link ImportError}. */
export function importJunit(xml: string, context: ImportContext): RunResult {
  const source = xml.replace(/^\uFEFF/, '').trimStart();
  if (source === '') throw new ImportError('empty file');
  if (!source.startsWith('<')) throw new ImportError('not XML: does not start with "<"');
  const prologue = source.slice(0, 65_536);
  if (/<!DOCTYPE/i.test(prologue) && EXTERNAL_ENTITY.test(prologue)) {
    throw new ImportError('DOCTYPE declares an external entity (possible XXE); refusing to parse it');
  }
  let document: XmlNode;
  try {
    document = parser.parse(source) as XmlNode;
  } catch (error) {
    throw new ImportError(`not well-formed XML: ${((error as Error).message.split('\n')[0] ?? '').slice(0, 200)}`);
  }
  const root = findRoot(document);
  const walk: Walk = { cases: [], suiteErrors: 0, suiteNames: [], timestamps: [] };
  const rootTimestamp = attr(root.node, 'timestamp');
  if (rootTimestamp) walk.timestamps.push(rootTimestamp);
  if (root.name === 'testsuite') walkSuite(root.node, walk);
  else {
    for (const testcase of list(root.node.testcase)) walk.cases.push(readCase(testcase, null));
    for (const suite of list(root.node.testsuite)) walkSuite(suite, walk);
    walk.suiteErrors += list(root.node.error).length;
  }

  const nodeids = new UniqueNodeids();
  const tests: TestResult[] = mergeRetries(walk.cases).slice(0, limits.testsPerRun).map((draft) => {
    const test = toTestResult(draft);
    test.nodeid = nodeids.claim(test.nodeid);
    return test;
  });
  const summary = summarize(tests);
  const declared = parseJunitTime(attr(root.node, 'time') ?? attr(root.node, 'duration'));
  const topSuites = root.name === 'testsuite' ? [root.node] : list(root.node.testsuite);
  const suiteTime = topSuites.reduce((sum, suite) => sum + parseJunitTime(attr(suite, 'time')), 0);
  const duration = declared || suiteTime || tests.reduce((sum, test) => sum + test.duration, 0);
  const framework = walk.suiteNames.includes('pytest') ? 'pytest' : 'junit';
  const header = runHeader(context, { framework, timestamps: walk.timestamps });
  return {
    ...header,
    ...runEnd(header.started_at, duration),
    status: walk.suiteErrors > 0 && summary.failed === 0 ? 'error' : statusFromSummary(summary),
    summary,
    tests,
  };
}
