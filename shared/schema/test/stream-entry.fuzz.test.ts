import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { entrySchemas, entryTypes, limits, parseEntry, RunResultSchema } from '../src/index.js';
import { anyData, FUZZ_RUNS, FUZZ_TIMEOUT_MS, mutatedRun, oversized, validRun } from '../../../test-support/bad-input.js';

/** `parseEntry` must answer every input with ok or a reason: never throw. */
function check(type: string | undefined, data: string | undefined): void {
  const parsed = parseEntry(type, data);
  if (parsed.ok) {
    expect(entryTypes).toContain(parsed.entry.type);
    expect(entrySchemas[parsed.entry.type].safeParse(parsed.entry.data).success).toBe(true);
  } else {
    expect(parsed.reason.length).toBeGreaterThan(0);
    expect(parsed.reason.length).toBeLessThan(5_000);
  }
}

describe('parseEntry under bad input (property-based)', () => {
  test(`${FUZZ_RUNS} generated entries: each parsed or refused with a reason, never a throw`, () => {
    fc.assert(
      fc.property(fc.option(fc.constantFrom(...entryTypes, 'run ', 'RUN', '', 'run.teleported'), { nil: undefined }), fc.option(anyData, { nil: undefined }), (type, data) => {
        check(type, data);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  test(`${FUZZ_RUNS} mutated runs: a wrong field is refused with its path, never stored half-valid`, () => {
    fc.assert(
      fc.property(mutatedRun, (data) => {
        const parsed = parseEntry('run', data);
        const direct = RunResultSchema.safeParse(JSON.parse(data));
        expect(parsed.ok).toBe(direct.success);
        if (!parsed.ok) expect(parsed.reason).toMatch(/^invalid run: /);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, FUZZ_TIMEOUT_MS);

  test('a string one past each limit is refused, the reason naming the field and the limit', () => {
    fc.assert(
      fc.property(oversized, ([path, value]) => {
        const run = structuredClone(validRun) as Record<string, unknown>;
        const keys = path.split('.');
        let target = run;
        for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[keys.at(-1)!] = value;
        const parsed = parseEntry('run', JSON.stringify(run));
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(parsed.reason).toMatch(new RegExp(`${path.replace(/\./g, '\\.')}: .*(at most|Too big).*${value.length - 1}`));
      }),
      { numRuns: 60 },
    );
  });

  test('duplicate node ids in one run are refused with the duplicated id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 50 }), fc.integer({ min: 2, max: 50 }), (nodeid, copies) => {
        const tests = Array.from({ length: copies }, () => ({ nodeid, outcome: 'passed' }));
        const parsed = parseEntry('run', JSON.stringify({ ...validRun, tests }));
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(parsed.reason).toContain('duplicate nodeid');
      }),
      { numRuns: 500 },
    );
  });

  test('more tests than limits.testsPerRun are refused by name; data over limits.entryBytes without parsing', () => {
    const tests = Array.from({ length: limits.testsPerRun + 1 }, (_, i) => ({ nodeid: `t${i}`, outcome: 'passed' }));
    const many = parseEntry('run', JSON.stringify({ ...validRun, tests }));
    expect(many).toEqual({ ok: false, reason: `invalid run: tests: at most ${limits.testsPerRun} tests per run` });

    // Not JSON at all: had it been parsed, the reason would name the JSON error, not the size.
    const huge = 'x'.repeat(limits.entryBytes + 1);
    expect(parseEntry('run', huge)).toEqual({ ok: false, reason: `data larger than ${limits.entryBytes} bytes` });

    const batch = Array.from({ length: limits.testsPerBatch + 1 }, (_, i) => ({ nodeid: `t${i}`, outcome: 'passed' }));
    const live = parseEntry('run.tests', JSON.stringify({ ...validRun, tests: batch }));
    expect(live.ok).toBe(false);
    if (!live.ok) expect(live.reason).toContain(`at most ${limits.testsPerBatch} tests per batch`);
  });
});
