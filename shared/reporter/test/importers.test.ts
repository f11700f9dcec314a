import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { RunResultSchema } from '@pytest-platform/schema';
import type { RunResult } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ImportError, importReportFile, importReportText, validateCtrf } from '../src/index.js';
import type { RunIdentity } from '../src/index.js';
import { reportsDir, tempDir } from './helpers.js';

const identity: RunIdentity = { project: 'fixtures', branch: 'main', commit: 'abc1234', worker_id: 'test', environment: {} };

interface Source {
  file: string;
  format: string;
  testcases: number;
  notes: string;
}

const sources: Source[] = readFileSync(path.join(reportsDir, 'SOURCES.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map((cells) => ({ file: cells[0] ?? '', format: cells[1] ?? '', testcases: Number(cells[7]), notes: cells[10] ?? '' }));

/**
 * Testcase elements folded into an earlier one as retries. The rule: a testcase whose
 * `classname::name` repeats one that failed or errored is another attempt of it.
 */
const mergedRetries: Record<string, number> = {
  'junit/gradle/gmazzo__TEST-FlakyTestSuite-test-retry.xml': 2, // fail, fail, pass
  'junit/synthetic/mikepenz__flaky_with_classname_file.xml': 2, // failure, error, pass
  'junit/go-junit-report/mikepenz__go-server-test-report.xml': 1, // fail, then pass at the end (gotestsum --rerun-fails)
  'junit/web-test-runner/mikepenz__web-test-runner-expectedRetries.xml': 1,
  // Two pairs of same-named failing examples: indistinguishable from retries in JUnit XML.
  'junit/rspec/bugcrowd__rspec_junit_formatter.xml': 2,
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

const allFiles = walk(reportsDir).map((file) => path.relative(reportsDir, file)).filter((file) => file !== 'SOURCES.tsv');
const reports = sources.filter((s) => !s.file.startsWith('schemas/') && !s.file.includes('spec-normative-tests/'));
const rejected = reports.filter((s) => s.file.includes('/malformed/'));
const accepted = reports.filter((s) => !s.file.includes('/malformed/'));
const normative = sources.filter((s) => s.file.includes('spec-normative-tests/'));

const importFixture = (file: string, strict = false) => importReportFile(path.join(reportsDir, file), { identity, strict });
const byNodeid = (run: RunResult, nodeid: string) => run.tests.find((t) => t.nodeid === nodeid);

test('SOURCES.tsv lists every fixture file', () => {
  expect(new Set(sources.map((s) => s.file))).toEqual(new Set(allFiles));
});

describe('every real report imports with the right number of tests', () => {
  test.each(accepted.map((s) => [s.file, s] as const))('%s', async (file, source) => {
    const run = await importFixture(file);
    expect(RunResultSchema.safeParse(run).success).toBe(true);
    expect(run.tests).toHaveLength(source.testcases - (mergedRetries[file] ?? 0));
    expect(run.summary?.total).toBe(run.tests.length);
    expect(new Set(run.tests.map((t) => t.nodeid)).size).toBe(run.tests.length);
    expect(run.project).toBe('fixtures');
    expect(run.environment.report_file).toBe(path.basename(file));
  });
});

describe('malformed files are rejected with a reason', () => {
  test.each(rejected.map((s) => [s.file] as const))('%s', async (file) => {
    const error = await importFixture(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).reason).toMatch(/\S/);
    expect((error as ImportError).reason).not.toContain('\n');
  });

  test('the reasons say what is wrong', async () => {
    const reason = async (file: string) => ((await importFixture(file).catch((e: unknown) => e)) as ImportError).reason;
    expect(await reason('junit/malformed/enricomi__empty.xml')).toBe('empty file');
    expect(await reason('junit/malformed/enricomi__non-xml.xml')).toBe('neither XML nor JSON');
    expect(await reason('junit/malformed/enricomi__non-junit.xml')).toContain('root element <suites>');
    expect(await reason('junit/malformed/jenkins__testXxe-xxe.xml')).toContain('external entity');
    expect(await reason('ctrf/malformed/ska-oso-pht-ui__hand-edited-array-root.json')).toContain('JSON array');
  });
});

describe('XXE and entity expansion', () => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.end('<!ENTITY oob "leaked">');
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/evil.dtd`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the XXE fixture pointed at a live server fetches nothing and reads no file', async () => {
    const dir = await tempDir();
    const xxe = readFileSync(path.join(reportsDir, 'junit/malformed/jenkins__testXxe-xxe.xml'), 'latin1');
    const variants = [
      xxe.replace('$OOB_LINK$', url),
      `<?xml version="1.0"?>\n<!DOCTYPE testsuites [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY remote SYSTEM "${url}">]>\n<testsuites><testsuite name="s"><testcase classname="c" name="t"><failure message="&secret;">&remote;</failure></testcase></testsuite></testsuites>`,
    ];
    for (const [index, content] of variants.entries()) {
      const file = path.join(dir, `xxe-${index}.xml`);
      await writeFile(file, content, 'latin1');
      const error = await importReportFile(file, { identity }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportError);
      expect(String((error as ImportError).reason)).not.toContain('root:');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(requests).toBe(0);
  });

  test('entity expansion is bounded (billion laughs)', () => {
    const levels = ['<!ENTITY a0 "lollollollollollollollollollol">'];
    for (let i = 1; i < 10; i += 1) levels.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const xml = `<?xml version="1.0"?><!DOCTYPE testsuites [${levels.join('')}]><testsuites><testsuite name="s"><testcase classname="c" name="t"><failure message="&a9;"/></testcase></testsuite></testsuites>`;
    let outcome: RunResult | unknown;
    try {
      outcome = importReportText(xml, { identity });
    } catch (error) {
      outcome = error;
    }
    if (!(outcome instanceof ImportError)) {
      const message = (outcome as RunResult).tests[0]?.message ?? '';
      expect(message.length).toBeLessThan(1_000_001);
    }
  });
});

describe('JUnit quirks', () => {
  test('Gradle test-retry: repeated testcases become one flaky test', async () => {
    const run = await importFixture('junit/gradle/gmazzo__TEST-FlakyTestSuite-test-retry.xml');
    expect(byNodeid(run, 'org.test.sample.FlakyTestSuite::flakyTest()')).toMatchObject({ outcome: 'passed', attempts: 3 });
    expect(run.summary?.flaky).toBe(1);
  });

  test('surefire flakyFailure → passed with attempts; rerunFailure without success → failed with attempts', async () => {
    const flaky = await importFixture('junit/maven-surefire/mikepenz__surefire-flakyFailure.xml');
    expect(flaky.tests[0]).toMatchObject({ outcome: 'passed', attempts: 2 });
    expect(flaky.summary?.flaky).toBe(1);
    const always = await importFixture('junit/maven-surefire/jenkins__TEST-io.olamy.AlwaysFailTest.xml');
    expect(always.tests[0]).toMatchObject({ outcome: 'failed', attempts: 4 });
    const huge = await importFixture('junit/jenkins/jenkins__junit-report-huge.xml');
    expect(huge.tests.filter((t) => t.attempts > 1).length).toBeGreaterThanOrEqual(2);
    expect(huge.summary?.flaky).toBeGreaterThanOrEqual(1);
    expect(huge.tests.every((t) => t.duration >= 0)).toBe(true);
  });

  test('failure, error and pass of one test (rerun style) fold into one flaky test; same name in another class stays apart', async () => {
    const run = await importFixture('junit/synthetic/mikepenz__flaky_with_classname_file.xml');
    expect(byNodeid(run, 'test_foo.TestFoo::test_foo')).toMatchObject({ outcome: 'passed', attempts: 3, file: '/home/runner/work/foo/bar/test_foo.py', line: 42 });
    expect(byNodeid(run, 'test_bar.TestBar::test_foo')).toMatchObject({ outcome: 'passed', attempts: 1 });
  });

  test('true duplicates that are not retries get a " [2]" suffix', async () => {
    const run = await importFixture('junit/jenkins/jenkins__bad-duration.xml');
    const ids = run.tests.map((t) => t.nodeid);
    expect(ids[1]).toBe(`${ids[0]} [2]`);
    expect(run.tests.every((t) => t.duration === 0 || t.duration === 100)).toBe(true);
  });

  test('several failures in one test: first message, all details', async () => {
    const run = await importFixture('junit/synthetic/mikepenz__test_multiple_failures.xml');
    const multi = run.tests.find((t) => t.outcome === 'failed' && (t.longrepr?.split('\n\n').length ?? 0) > 1);
    expect(multi).toBeDefined();
    expect(multi?.message).not.toContain('\n');
  });

  test('error vs failure, skipped with message, disabled status', async () => {
    const tst = await importFixture('junit/tst/mikepenz__tst-testDisabled.xml');
    expect(tst.summary?.errors).toBe(2);
    expect(tst.summary?.failed).toBe(4);
    expect(tst.summary?.skipped).toBeGreaterThan(0);
    const skip = await importFixture('junit/go-junit-report/gjr__107-skip.xml');
    expect(skip.tests.every((t) => t.outcome === 'skipped' && t.message)).toBe(true);
  });

  test('time in nanoseconds, missing classname, BOM, non-ASCII, no system-out stored', async () => {
    const cst = await importFixture('junit/container-structure-test/mikepenz__container-structure-test.xml');
    expect(cst.tests.every((t) => t.duration < 100)).toBe(true);
    const bom = await importFixture('junit/xunit-net/enricomi__xunit-net.xml');
    expect(bom.tests).toHaveLength(2);
    const cyrillic = await importFixture('junit/googletest/junit2html__junit-unicode2-cyrillic.xml');
    expect(cyrillic.tests[0]?.nodeid).toMatch(/[\u0400-\u04FF]/);
    const nextest = await importFixture('junit/cargo-nextest/mikepenz__nextest-basic.xml');
    const stored = JSON.stringify(nextest);
    const systemOut = /<system-out>([^<]{8,})/.exec(readFileSync(path.join(reportsDir, 'junit/cargo-nextest/mikepenz__nextest-basic.xml'), 'utf8'))?.[1]?.trim();
    if (systemOut) expect(stored).not.toContain(systemOut.slice(0, 40));
  });

  test('control characters and CDATA', () => {
    const xml = '<testsuite name="s"><testcase classname="c" name="bell\u0007"><failure message="bad\u0001 value"><![CDATA[trace <with> markup\u0002]]></failure></testcase></testsuite>';
    const run = importReportText(xml, { identity });
    expect(run.tests[0]).toMatchObject({ nodeid: 'c::bell', message: 'bad value', longrepr: 'trace <with> markup' });
  });

  test('suite-level error without a testcase makes an error run', async () => {
    const run = await importFixture('junit/ant-junit/jenkins__junit-report-6700.xml');
    expect(run.tests).toHaveLength(0);
    expect(run.status).toBe('error');
  });

  test('pytest output is recognised as pytest', async () => {
    const run = await importFixture('junit/pytest/dorny__python-xunit-pytest.xml');
    expect(run.framework).toBe('pytest');
  });
});

describe('tags', () => {
  test('JUnit testcase properties as producers write them: name=value, a body on one line', async () => {
    const gotestsum = await importFixture('junit/gotestsum/gotestsum__junitxml-tc-with-attributes.xml');
    expect(gotestsum.tests[0]?.tags).toEqual(['hello=world', 'other=side']);
    const pytest = await importFixture('junit/pytest/dorny__python-xunit-pytest.xml');
    expect(byNodeid(pytest, 'tests.test_lib::test_with_record_property')?.tags).toEqual(['example_key=1']);
    expect(pytest.tests.filter((t) => t.tags !== undefined)).toHaveLength(1);
    const huge = await importFixture('junit/jenkins/jenkins__junit-report-huge.xml');
    const tagged = huge.tests.filter((t) => t.tags !== undefined);
    expect(tagged).toHaveLength(18);
    expect(byNodeid(huge, 'p2.S0.SomeLongLongLongLongLongTestName_0::Run 0')?.tags).toEqual(['prop1=value1', 'multiline=Config line 1 Config line 2 Config line 3']);
    // Suite-level properties (go.version, pytest's record_testsuite_property) describe the run, not a test.
    expect(JSON.stringify(gotestsum.tests)).not.toContain('go.version');
  });

  test('JUnit: tag, tags and category give values; blanks dropped, duplicates once, at most 20 of at most 100 characters', () => {
    const properties = [
      '<property name="tag" value="smoke"/>', '<property name="Tags" value="db, smoke,,slow"/>', '<property name="category">  Integration  </property>',
      '<property name="tag" value="  "/>', '<property name="owner" value="team-a"/>', '<property name="flag"/>', `<property name="tag" value="${'x'.repeat(150)}"/>`,
      ...Array.from({ length: 30 }, (_, i) => `<property name="tag" value="t${i}"/>`),
    ].join('');
    const run = importReportText(`<testsuite name="s"><testcase classname="c" name="t"><properties>${properties}</properties></testcase><testcase classname="c" name="plain"/></testsuite>`, { identity });
    expect(run.tests[0]?.tags).toEqual(['smoke', 'db', 'slow', 'Integration', 'owner=team-a', 'flag', 'x'.repeat(100), ...Array.from({ length: 13 }, (_, i) => `t${i}`)]);
    expect(run.tests[1]).not.toHaveProperty('tags');
    expect(RunResultSchema.safeParse(run).success).toBe(true);
  });

  test('CTRF tags, as the spec example writes them; non-strings ignored', async () => {
    const comprehensive = await importFixture('ctrf/spec-examples/ctrf-spec__comprehensive.json', true);
    expect(byNodeid(comprehensive, 'tests/auth/login.test.js::Authentication::Login::user can login')?.tags).toEqual(['smoke', 'critical']);
    expect(byNodeid(comprehensive, 'tests/checkout/checkout.test.js::Checkout::user can checkout')?.tags).toEqual(['smoke']);
    const lenient = importReportText(JSON.stringify({ results: { tool: { name: 'x' }, tests: [{ name: 't', status: 'passed', tags: ['a', 7, ' a ', '', null, 'b'] }] } }), { identity });
    expect(lenient.tests[0]?.tags).toEqual(['a', 'b']);
  });
});

describe('CTRF', () => {
  test('lenient import: statuses, retries, flaky, ANSI, suite as a string', async () => {
    const run = await importFixture('ctrf/demo/github-test-reporter__ctrf-report-demo.json');
    expect(run.framework).toBe('jest');
    expect(run.summary).toMatchObject({ total: 10, passed: 5, failed: 2, skipped: 3 });
    expect(run.tests.some((t) => t.attempts > 1 && t.outcome === 'passed')).toBe(true);
    expect(JSON.stringify(run.tests.map((t) => t.message))).not.toContain('\\u001b');
    expect(run.tests[0]?.nodeid).toBe('tests/login.test.ts::login.test.ts > login::should be able to login');
    expect(run.tests[0]?.duration).toBe(1.2);
  });

  test('start and stop times no date can hold: the run imports, instant, started at a plausible time', () => {
    const ctrf = (start: number, stop: number) => JSON.stringify({
      results: { tool: { name: 'jest' }, summary: { tests: 1, passed: 1, failed: 0, skipped: 0, pending: 0, other: 0, start, stop }, tests: [{ name: 't', status: 'passed', duration: 5 }] },
    });
    const fallbackStart = new Date('2026-11-27T08:00:00.000Z');
    const farStop = importReportText(ctrf(1_724_835_244_591, 9e15), { identity, fallbackStart });
    expect(RunResultSchema.parse(farStop)).toMatchObject({ started_at: '2024-08-28T08:54:04.591Z', finished_at: '2024-08-28T08:54:04.591Z', duration: 0 });
    const farStart = importReportText(ctrf(9e15, 9e15 + 1_000), { identity, fallbackStart });
    expect(RunResultSchema.parse(farStart)).toMatchObject({ started_at: fallbackStart.toISOString(), finished_at: '2026-11-27T08:00:01.000Z', duration: 1 });
    const junit = importReportText(`<testsuite name="s" time="1e300"><testcase classname="c" name="t" time="1"/></testsuite>`, { identity, fallbackStart });
    expect(RunResultSchema.parse(junit)).toMatchObject({ finished_at: fallbackStart.toISOString(), duration: 0 });
  });

  test('retryAttempts and retries give attempts', async () => {
    const run = await importFixture('ctrf/spec-examples/ctrf-spec__with-retries.json', true);
    expect(byNodeid(run, 'flaky test')).toMatchObject({ outcome: 'passed', attempts: 3 });
    expect(run.summary?.flaky).toBe(1);
  });

  test('--strict accepts CTRF 1.0 documents and rejects pre-1.0 reporter output', async () => {
    await expect(importFixture('ctrf/spec-examples/ctrf-spec__comprehensive.json', true)).resolves.toBeDefined();
    const error = await importFixture('ctrf/jest/jest-ctrf-json-reporter__selftest-2023.json', true).catch((e: unknown) => e);
    expect((error as ImportError).reason).toMatch(/^not valid CTRF 1\.0: .*reportFormat/);
    await expect(importFixture('ctrf/jest/jest-ctrf-json-reporter__selftest-2023.json')).resolves.toHaveProperty('tests.length', 21);
  });

  describe.each(normative.map((s) => [s.file, s.testcases] as const))('normative suite %s', (file, count) => {
    const suite = JSON.parse(readFileSync(path.join(reportsDir, file), 'utf8')) as {
      tests: { description: string; valid: boolean; data?: unknown; dataPath?: string }[];
    };
    const cases = suite.tests.map((c) => {
      const example = c.dataPath ? path.join(reportsDir, 'ctrf/spec-examples', `ctrf-spec__${path.basename(c.dataPath)}`) : null;
      const data = example ? (() => { try { return JSON.parse(readFileSync(example, 'utf8')) as unknown; } catch { return undefined; } })() : c.data;
      return { ...c, data };
    });

    test('has the listed number of cases', () => {
      expect(cases).toHaveLength(count);
    });

    test.each(cases.filter((c) => c.data !== undefined).map((c) => [c.description, c] as const))('%s', (_description, c) => {
      expect(validateCtrf(c.data) === null).toBe(c.valid);
    });
  });
});
