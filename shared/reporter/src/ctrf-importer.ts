import path from 'node:path';
import { limits, statusFromSummary, summarize } from '@pytest-platform/schema';
import type { Outcome, RunResult, TestResult } from '@pytest-platform/schema';
import { validateCtrf } from './ctrf-validator.js';
import { ImportError } from './import-error.js';
import type { ImportContext } from './import-context.js';
import { runEnd, runHeader } from './import-context.js';
import { toTestResult } from './test-result.js';
import { UniqueNodeids } from './unique-nodeids.js';

type Json = Record<string, unknown>;

const STATUS: Record<string, Outcome> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  pending: 'skipped',
  // `other` is a status the producer could not map; counting it as a failure or a pass would
  // change the pass rate, so it is kept out of it like a skip.
  other: 'skipped',
};

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

function suitePath(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  const text = str(value)?.trim();
  return text ? [text] : [];
}

function relativeFile(filePath: string | undefined, cwd: string): string | undefined {
  if (!filePath) return undefined;
  if (!path.isAbsolute(filePath)) return filePath.replace(/\\/g, '/');
  const relative = path.relative(cwd, filePath);
  return relative.startsWith('..') ? filePath : relative.replace(/\\/g, '/');
}

function attemptsOf(test: Json, outcome: Outcome): number {
  const retries = Math.max(0, Math.trunc(num(test.retries) ?? 0));
  const listed = Array.isArray(test.retryAttempts) ? test.retryAttempts.filter(isObject) : [];
  const highest = listed.reduce((max, attempt) => Math.max(max, Math.trunc(num(attempt.attempt) ?? 0)), 0);
  let attempts = Math.max(1 + retries, listed.length, highest);
  if (outcome === 'passed' && test.flaky === true) attempts = Math.max(attempts, 2);
  return attempts;
}

/**
 * Reads a CTRF JSON document leniently (pre-1.0 reporters without `reportFormat`/`specVersion`,
 * `suite` as a string or an array, durations in ms) into one RunResult. With `strict`, the
 * document must first pass the CTRF 1.0 JSON Schema. Throws {@link ImportError}.
 */
export function importCtrf(document: unknown, context: ImportContext & { strict?: boolean; cwd?: string }): RunResult {
  if (Array.isArray(document)) throw new ImportError('not a CTRF report: the root is a JSON array, expected an object with "results"');
  if (!isObject(document)) throw new ImportError('not a CTRF report: the root is not a JSON object');
  if (context.strict) {
    const reason = validateCtrf(document);
    if (reason !== null) throw new ImportError(reason);
  }
  const results = document.results;
  if (!isObject(results)) throw new ImportError('not a CTRF report: no "results" object');
  if (!Array.isArray(results.tests)) throw new ImportError('not a CTRF report: "results.tests" is not an array');
  const tool = isObject(results.tool) ? results.tool : {};
  const summary = isObject(results.summary) ? results.summary : {};
  const cwd = context.cwd ?? process.cwd();

  const nodeids = new UniqueNodeids();
  const tests: TestResult[] = [];
  for (const [index, raw] of results.tests.entries()) {
    if (!isObject(raw)) throw new ImportError(`not a CTRF report: results.tests[${index}] is not an object`);
    const name = str(raw.name)?.trim();
    if (!name) throw new ImportError(`not a CTRF report: results.tests[${index}] has no name`);
    const status = str(raw.status)?.toLowerCase() ?? '';
    const outcome = STATUS[status];
    if (outcome === undefined) throw new ImportError(`not a CTRF report: results.tests[${index}] has status ${JSON.stringify(raw.status)}`);
    const file = relativeFile(str(raw.filePath), cwd);
    const nodeid = [file, ...suitePath(raw.suite), name].filter((part): part is string => !!part).join('::');
    const message = str(raw.message);
    const trace = str(raw.trace);
    const test = toTestResult({
      nodeid,
      outcome,
      duration: (num(raw.duration) ?? 0) / 1000,
      message,
      longrepr: outcome === 'skipped' ? null : [message, trace].filter(Boolean).join('\n\n') || null,
      attempts: attemptsOf(raw, outcome),
      file: file ?? null,
      line: num(raw.line) ?? null,
      tags: Array.isArray(raw.tags) ? raw.tags.filter((tag): tag is string => typeof tag === 'string') : null,
    });
    test.nodeid = nodeids.claim(test.nodeid);
    if (tests.length < limits.testsPerRun) tests.push(test);
  }

  const startMs = num(summary.start);
  const stopMs = num(summary.stop);
  const header = runHeader(context, {
    framework: str(tool.name)?.trim() || 'ctrf',
    frameworkVersion: str(tool.version) ?? null,
    timestamps: [startMs, str(document.timestamp)],
  });
  const duration = startMs !== undefined && stopMs !== undefined && stopMs >= startMs
    ? (stopMs - startMs) / 1000
    : tests.reduce((sum, test) => sum + test.duration, 0);
  const counts = summarize(tests);
  return {
    ...header,
    ...runEnd(header.started_at, duration),
    status: statusFromSummary(counts),
    summary: counts,
    tests,
  };
}
