import fc from 'fast-check';
import { limits } from '@pytest-platform/schema';

/** Inputs per property: at least 10,000 per target in CI (`FUZZ_RUNS` raises it locally). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** How long a property over {@link FUZZ_RUNS} inputs may take: a bound on a hang, generous for a loaded 2-core machine. */
export const FUZZ_TIMEOUT_MS = 300_000;

export const validRun = {
  run_id: 'fuzz-1',
  project: 'demo',
  started_at: '2026-11-26T10:00:00.000Z',
  status: 'failed',
  tests: [
    { nodeid: 'tests/test_a.py::test_ok', outcome: 'passed', duration: 0.01 },
    { nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', message: 'AssertionError', longrepr: 'E   assert 1 == 2' },
  ],
};

/** Any JSON value, small, with hostile strings mixed in. */
export const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom("'; DROP TABLE runs; --", '\u0000', '\uD800', '\uFFFF', '../../etc/passwd', '<script>alert(1)</script>', '%s%n', '𝕏'.repeat(10)),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A valid run with one field replaced by something else (wrong types, bad values). */
export const mutatedRun = fc
  .record({
    path: fc.constantFrom(
      'run_id', 'project', 'branch', 'commit', 'worker_id', 'framework', 'started_at', 'finished_at', 'duration', 'status', 'summary',
      'environment', 'tests', 'tests.0', 'tests.0.nodeid', 'tests.0.outcome', 'tests.0.duration', 'tests.0.message', 'tests.0.attempts',
      'tests.0.line', 'tests.1.longrepr', 'tests.1.file',
    ),
    value: jsonValue,
  })
  .map(({ path, value }) => {
    const run = structuredClone(validRun) as Record<string, unknown>;
    const keys = path.split('.');
    let target = run as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
    target[keys.at(-1)!] = value;
    return JSON.stringify(run);
  });

/** Strings just past each limit: must be refused, naming the limit. */
export const oversized = fc.constantFrom(
  ['run_id', 'a'.repeat(limits.runIdLength + 1)],
  ['project', 'p'.repeat(limits.nameLength + 1)],
  ['tests.0.nodeid', 'n'.repeat(limits.nodeidLength + 1)],
  ['tests.1.message', 'm'.repeat(limits.messageLength + 1)],
  ['tests.1.longrepr', 'l'.repeat(limits.longreprLength + 1)],
  ['tests.1.file', 'f'.repeat(limits.fileLength + 1)],
) as fc.Arbitrary<[string, string]>;

const deepNesting = fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));

/** Bytes that are not valid UTF-8, decoded as Redis and HTTP clients would (replacement characters). */
const invalidUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) => Buffer.concat([Buffer.from(JSON.stringify(validRun).slice(0, -2)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(bytes)]).toString('utf8'));

const truncatedRun = fc.integer({ min: 0, max: JSON.stringify(validRun).length - 1 }).map((n) => JSON.stringify(validRun).slice(0, n));

export const anyData = fc.oneof(
  fc.string({ maxLength: 200 }),
  jsonValue.map((value) => JSON.stringify(value)),
  mutatedRun,
  truncatedRun,
  deepNesting,
  invalidUtf8,
);

