import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { RunResultSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeReport, ImportError, importReportFile, importReportText } from '../src/index.js';
import type { RunIdentity } from '../src/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from '../../../test-support/bad-input.js';
import { reportsDir, tempDir } from './helpers.js';

const identity: RunIdentity = { project: 'fuzz', branch: 'main', commit: 'abc1234', worker_id: 'fuzz', environment: {} };
// No bound on how fast an import runs (no test here depends on the machine's speed): parsing that
// blows up on some input (super-linear backtracking, entity expansion) hangs or grows the output,
// and the test fails by its timeout or by the size bounds below.

const files = ['junit', 'ctrf'].flatMap((format) =>
  readdirSync(path.join(reportsDir, format), { recursive: true, encoding: 'utf8' })
    .map((file) => path.join(reportsDir, format, file))
    .filter((file) => statSync(file).isFile()),
);
const fixtures = files.map((file) => readFileSync(file));
/** The small ones get the random mutations; the big ones a few each below, to keep the run short. */
const small = fixtures.filter((bytes) => bytes.length <= 100_000);

type Mutation = (bytes: Buffer) => Buffer;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => (bytes: Buffer) => {
    const out = Buffer.from(bytes);
    for (const [at, value] of flips) if (out.length) out[at % out.length] = value;
    return out;
  }),
  fc.double({ min: 0, max: 1, noNaN: true }).map((fraction) => (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length * fraction))),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 2, max: 50 })).map(([fraction, copies]) => (bytes: Buffer) => {
    // Tag duplication: repeat one element (or JSON object) many times in place.
    const text = bytes.toString('utf8');
    const tags = [...text.matchAll(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)|\{"name"[^{}]*\}/g)];
    const tag = tags[Math.floor(fraction * tags.length)];
    if (!tag) return bytes;
    const at = tag.index + tag[0].length;
    return Buffer.from(text.slice(0, at) + (text.startsWith('{') ? `,${tag[0]}` : tag[0]).repeat(copies) + text.slice(at));
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('<', '>', '&', '"', '</testsuite>', '<testcase', '&amp;', '&#0;', '&#xD800;', '\u0000', '{', '}', '[', '\uFFFE', '<![CDATA[', ']]>'))
    .map(([fraction, insert]) => (bytes: Buffer) => {
      const at = Math.floor(bytes.length * fraction);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(insert), bytes.subarray(at)]);
    }),
);

/** Imports `bytes` and checks the outcome: a valid RunResult or an ImportError. */
function importBytes(bytes: Buffer): 'imported' | 'rejected' {
  let outcome: 'imported' | 'rejected';
  try {
    const run = importReportText(decodeReport(bytes), { identity });
    expect(RunResultSchema.safeParse(run).success).toBe(true);
    outcome = 'imported';
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    outcome = 'rejected';
  }
  return outcome;
}

describe('JUnit/CTRF import of mutated fixture files', () => {
  test(`${FUZZ_RUNS} mutations (byte flips, truncation, tag duplication, inserted markup) of ${small.length} fixtures: imported or refused, never a crash`, () => {
    const counts = { imported: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...small), mutation, (bytes, mutate) => {
        counts[importBytes(mutate(bytes))]++;
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(counts.imported).toBeGreaterThan(0);
    expect(counts.rejected).toBeGreaterThan(0);
    console.info(`import: ${FUZZ_RUNS} mutated files, ${counts.imported} imported, ${counts.rejected} rejected`);
  }, FUZZ_TIMEOUT_MS);

  test('the large fixtures, mutated a few times each', () => {
    const large = fixtures.filter((bytes) => bytes.length > 100_000);
    expect(large.length).toBeGreaterThan(0);
    for (const bytes of large) {
      for (const mutate of fc.sample(mutation, { numRuns: 10, seed: 7 })) importBytes(mutate(bytes));
    }
  });
});

describe('hostile XML', () => {
  let server: ReturnType<typeof createServer>;
  let hits: string[];
  let base: string;
  let dir: string;
  const secret = 'top-secret-value-9f3a';

  beforeAll(async () => {
    hits = [];
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('<!ENTITY oob "fetched">');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await tempDir();
    writeFileSync(path.join(dir, 'secret.txt'), secret);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const suite = (body: string) => `<testsuite name="s" tests="1"><testcase classname="c" name="t"><failure message="${body}">${body}</failure></testcase></testsuite>`;

  test('XXE (external general and parameter entities, over HTTP and file://, also after a 100 KiB comment) is refused without fetching or reading', async () => {
    const documents = [
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://${dir}/secret.txt">]>${suite('&x;')}`,
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "${base}/general">]>${suite('&x;')}`,
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "${base}/parameter"> %p;]>${suite('&oob;')}`,
      `<?xml version="1.0"?><!DOCTYPE r PUBLIC "-//x//y" "${base}/public">${suite('x')}`,
      `<?xml version="1.0"?><!--${' '.repeat(100_000)}--><!DOCTYPE r [<!ENTITY x SYSTEM "file://${dir}/secret.txt"><!ENTITY y SYSTEM "${base}/late">]>${suite('&x;&y;')}`,
      readFileSync(path.join(reportsDir, 'junit/malformed/jenkins__testXxe-xxe.xml'), 'utf8').replace('$OOB_LINK$', `${base}/oob`),
    ];
    for (const [index, xml] of documents.entries()) {
      const file = path.join(dir, `xxe-${index}.xml`);
      writeFileSync(file, xml);
      let text = '';
      try {
        text = JSON.stringify(await importReportFile(file, { identity }));
      } catch (error) {
        expect(error).toBeInstanceOf(ImportError);
      }
      expect(text).not.toContain(secret);
      expect(text).not.toContain('fetched');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hits).toEqual([]);
  });

  test('entity expansion ("billion laughs", quadratic blow-up) is refused or bounded in size', () => {
    const lol = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('');
    const quadratic = `<!ENTITY a "${'a'.repeat(50_000)}">`;
    for (const xml of [
      `<?xml version="1.0"?><!DOCTYPE r [${lol}]>${suite('&lol9;')}`,
      `<?xml version="1.0"?><!DOCTYPE r [${quadratic}]>${suite('&a;'.repeat(10_000))}`,
    ]) {
      const before = process.memoryUsage().heapUsed;
      let length = 0;
      try {
        length = JSON.stringify(importReportText(xml, { identity })).length;
      } catch (error) {
        expect(error).toBeInstanceOf(ImportError);
      }
      expect(length).toBeLessThan(2_000_000);
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(200_000_000);
    }
  });
});
