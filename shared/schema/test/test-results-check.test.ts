import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { entrySchemas, limits, parseEntry, TestResultSchema } from '../src/index.js';
import { checkTestResults } from '../src/test-results-check.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, hostileString, mutatedRun, validRun } from '../../../test-support/bad-input.js';

const anyTests = z.array(TestResultSchema);
const rule = { min: 0, max: limits.testsPerRun, uniqueNodeids: false };

/** The fast check either refuses or gives exactly zod's output, key order included. */
function agrees(tests: unknown): boolean {
  const fast = checkTestResults(tests, rule);
  const zod = anyTests.safeParse(tests);
  if (fast === null) return true;
  expect(zod.success).toBe(true);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
  return true;
}

/** Values near each field's rules: right and wrong types, bounds, lone surrogates. */
const fieldValue = fc.oneof(
  hostileString,
  fc.constantFrom('passed', 'failed', 'error', 'xfailed', 'PASSED', '', 'n'.repeat(limits.nodeidLength), 'n'.repeat(limits.nodeidLength + 1)),
  fc.constantFrom(0, -0, 1, 1000, 1001, -1, 0.5, 2 ** 53, 2 ** 53 - 1, 1e308, null, true, false),
  fc.double(),
  fc.integer(),
  fc.array(fc.oneof(hostileString, fc.integer(), fc.constant('')), { maxLength: limits.tagsPerTest + 2 }),
  fc.constant(undefined),
);
const testFields = ['nodeid', 'outcome', 'duration', 'message', 'longrepr', 'attempts', 'file', 'line', 'tags', 'quarantined', 'extra'];

/** A valid test with up to three fields replaced (or removed, for `undefined`). */
const mutatedTest = fc
  .record({ base: fc.constantFrom(...validRun.tests), changes: fc.array(fc.tuple(fc.constantFrom(...testFields), fieldValue), { maxLength: 3 }) })
  .map(({ base, changes }) => {
    const test: Record<string, unknown> = { ...base };
    for (const [field, value] of changes) {
      if (value === undefined) delete test[field];
      else test[field] = value;
    }
    return JSON.parse(JSON.stringify(test)) as unknown;
  });

describe('checkTestResults (the fast path of parseEntry)', () => {
  test(`${FUZZ_RUNS} generated test lists: refused, or parsed exactly as zod parses them`, () => {
    fc.assert(fc.property(fc.array(mutatedTest, { maxLength: 4 }), agrees), { numRuns: FUZZ_RUNS });
  }, FUZZ_TIMEOUT_MS);

  test('accepts the tests of valid runs, with zod\'s defaults applied', () => {
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/reporter-output.json', import.meta.url), 'utf8')) as { endLine: { run: { tests?: unknown[] } }[] };
    const lists = [validRun.tests, ...fixture.endLine.flatMap((c) => (c.run.tests ? [c.run.tests] : [])), [{ nodeid: 'a', outcome: 'skipped', tags: ['slow', 'db'], quarantined: true }]];
    for (const tests of lists) {
      expect(checkTestResults(tests, rule)).not.toBeNull();
      agrees(tests);
    }
    expect(checkTestResults([{ nodeid: 'a', outcome: 'passed' }], rule)).toEqual([
      { nodeid: 'a', outcome: 'passed', duration: 0, message: null, longrepr: null, attempts: 1, file: null, line: null },
    ]);
  });

  test('refuses what zod refuses: bounds of the list, duplicates where they matter, wrong values', () => {
    const one = { nodeid: 'a', outcome: 'passed' };
    expect(checkTestResults([], { ...rule, min: 1 })).toBeNull();
    expect(checkTestResults([one, one], { ...rule, max: 1 })).toBeNull();
    expect(checkTestResults([one, one], { ...rule, uniqueNodeids: true })).toBeNull();
    expect(checkTestResults([one, one], rule)).toHaveLength(2);
    for (const bad of [{ ...one, outcome: 'ok' }, { ...one, attempts: 0 }, { ...one, line: -1 }, { ...one, message: '\uD800' }, { ...one, tags: [''] }, { ...one, quarantined: 1 }]) {
      expect(checkTestResults([bad], rule)).toBeNull();
      expect(anyTests.safeParse([bad]).success).toBe(false);
    }
  });

  test(`${FUZZ_RUNS} mutated runs: parseEntry gives exactly zod's entry, or zod's reason`, () => {
    fc.assert(
      fc.property(mutatedRun, fc.constantFrom('run', 'run.tests'), (data, type) => {
        const parsed = parseEntry(type, data);
        const direct = entrySchemas[type as 'run'].safeParse(JSON.parse(data));
        expect(parsed.ok).toBe(direct.success);
        if (parsed.ok) expect(JSON.stringify(parsed.entry.data)).toBe(JSON.stringify(direct.data));
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);
});
