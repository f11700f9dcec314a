import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emptySummary } from '@pytest-platform/schema';
import type { Outcome, RunResult, Summary } from '@pytest-platform/schema';
import { describe, expect, test } from 'vitest';
import { RunCollector, announceRun, endLine, markdownSummary, readReporterConfig } from '../src/index.js';
import type { ReporterConfig } from '../src/index.js';
import { repoRoot, tempDir } from './helpers.js';

interface EndLineCase {
  name: string;
  run: { run_id: string; summary: Summary };
  publicUrl: string | null;
  spoolDir: string | null;
  reason: string | null;
  expected: string;
}

interface MarkdownCase {
  name: string;
  run: Parameters<typeof markdownSummary>[0];
  publicUrl: string | null;
  expected: string;
}

const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'shared/schema/fixtures/reporter-output.json'), 'utf8')) as {
  endLine: EndLineCase[];
  markdown: MarkdownCase[];
};

describe('the shared reporter-output fixture', () => {
  test.each(fixture.endLine.map((c) => [c.name, c] as const))('end line: %s', (_name, c) => {
    expect(endLine(c.run, { publicUrl: c.publicUrl, spoolDir: c.spoolDir, reason: c.reason })).toBe(c.expected);
  });

  test.each(fixture.markdown.map((c) => [c.name, c] as const))('markdown: %s', (_name, c) => {
    expect(markdownSummary(c.run, { publicUrl: c.publicUrl })).toBe(c.expected);
  });
});

const summaryOf = (tests: readonly { outcome: Outcome }[]): Summary => {
  const summary = emptySummary();
  for (const test of tests) {
    summary.total += 1;
    if (test.outcome === 'error') summary.errors += 1;
    else if (test.outcome === 'failed' || test.outcome === 'passed' || test.outcome === 'skipped') summary[test.outcome] += 1;
  }
  return summary;
};

describe('markdown rules the fixture does not reach', () => {
  const run = (tests: { nodeid: string; outcome: Outcome; message?: string | null }[]) => ({
    run_id: 'r', project: 'p', branch: null, commit: null, framework: 'jest', summary: summaryOf(tests), tests,
  });

  test('node ids are cut to 300 characters and messages to 200, each cut ending in …, before escaping', () => {
    const nodeid = `${'n'.repeat(299)}_tail`;
    const message = `${'m'.repeat(199)}|tail\nnext line`;
    const markdown = markdownSummary(run([{ nodeid, outcome: 'failed', message }]), { publicUrl: null });
    expect(markdown).toContain(`| ${'n'.repeat(299)}… | ${'m'.repeat(199)}… |\n`);
    // 299 UTF-16 code units would end inside the 150th emoji: it goes whole.
    const astral = '😀'.repeat(400);
    expect(markdownSummary(run([{ nodeid: astral, outcome: 'failed' }]), { publicUrl: null })).toContain(`| ${'😀'.repeat(149)}… |  |`);
  });

  test('a first page of failures from the API says how many more the run has, from failuresTotal', () => {
    const failures = Array.from({ length: 100 }, (_, i) => ({ nodeid: `t${i}`, outcome: 'failed' as const }));
    const markdown = markdownSummary({ ...run(failures), failuresTotal: 100_000 }, { publicUrl: null });
    expect(markdown.match(/^\| t\d+ \|/gm)).toHaveLength(20);
    expect(markdown).toContain('…and 99980 more failed tests.');
    expect(markdownSummary(run(failures), { publicUrl: null })).toContain('…and 80 more failed tests.');
  });

  test('the end line never ends in a slash-doubled url', () => {
    expect(endLine({ run_id: 'x', summary: emptySummary() }, { publicUrl: 'https://h///', spoolDir: null })).toBe('pytest-platform: run x · 0 failed, 0 passed, 0 skipped → https://h/runs/x');
  });
});

describe('announceRun', () => {
  async function setup(env: Record<string, string> = {}) {
    const dir = await tempDir();
    const summaryFile = path.join(dir, 'step-summary.md');
    const config: ReporterConfig = readReporterConfig({
      REDIS_URL: 'redis://127.0.0.1:1', PYTEST_PLATFORM_SPOOL_DIR: path.join(dir, 'spool'), PYTEST_PLATFORM_URL: 'https://tests.example.test',
      GITHUB_STEP_SUMMARY: summaryFile, ...env,
    });
    const collector = new RunCollector({ framework: 'custom', config, env: { PROJECT: 'acme/shop', BRANCH: 'main', COMMIT: '0123456789abcdef' } });
    collector.add({ nodeid: 'a.ts::breaks `x` | <y>', outcome: 'failed', message: 'boom' });
    collector.add({ nodeid: 'a.ts::ok', outcome: 'passed' });
    const result: RunResult = collector.result();
    const lines: string[] = [];
    return { config, summaryFile, result, lines, log: (line: string) => void lines.push(line) };
  }

  test('sent: the end line with the link, and the Markdown appended to the step summary', async () => {
    const { config, summaryFile, result, lines, log } = await setup();
    await writeFile(summaryFile, '## earlier step\n');
    await announceRun(config, result, 'sent', log);
    expect(lines).toEqual([`pytest-platform: run ${result.run_id} · 1 failed, 1 passed, 0 skipped → https://tests.example.test/runs/${result.run_id}`]);
    expect(await readFile(summaryFile, 'utf8')).toBe(
      '## earlier step\n\n'
      + '### ❌ acme/shop: 1 failed, 1 passed, 0 skipped\n\n'
      + `Run [${result.run_id}](https://tests.example.test/runs/${result.run_id}) · branch main · commit 0123456789ab · custom\n\n`
      + '| Failed test | Message |\n| --- | --- |\n'
      + '| a.ts::breaks \\`x\\` \\| &lt;y&gt; | boom |\n',
    );
  });

  test('spooled: the line says where the run waits', async () => {
    const { config, result, lines, log } = await setup();
    await announceRun(config, result, 'spooled', log);
    expect(lines).toEqual([`pytest-platform: run ${result.run_id} · 1 failed, 1 passed, 0 skipped · not sent: spooled to ${config.spoolDir}, sent by the next run`]);
    await announceRun(config, result, 'spooled', log, 'Redis unavailable: connect ECONNREFUSED 127.0.0.1:1');
    expect(lines[1]).toBe(`pytest-platform: run ${result.run_id} · 1 failed, 1 passed, 0 skipped · not sent (Redis unavailable: connect ECONNREFUSED 127.0.0.1:1): spooled to ${config.spoolDir}, sent by the next run`);
  });

  test('PYTEST_PLATFORM_QUIET: no line for a sent run (a spooled one still says so), the summary still written; PYTEST_PLATFORM_SUMMARY=off: no summary', async () => {
    const quiet = await setup({ PYTEST_PLATFORM_QUIET: ' Yes ' });
    await announceRun(quiet.config, quiet.result, 'sent', quiet.log);
    expect(quiet.lines).toEqual([]);
    await announceRun(quiet.config, quiet.result, 'spooled', quiet.log, 'Redis unavailable: connect ECONNREFUSED 127.0.0.1:1');
    expect(quiet.lines).toEqual([expect.stringContaining(`: spooled to ${quiet.config.spoolDir}, sent by the next run`)]);
    expect(await readFile(quiet.summaryFile, 'utf8')).toContain('### ❌ acme/shop');
    const noSummary = await setup({ PYTEST_PLATFORM_SUMMARY: 'off' });
    await announceRun(noSummary.config, noSummary.result, 'sent', noSummary.log);
    expect(noSummary.lines).toHaveLength(1);
    await expect(readFile(noSummary.summaryFile, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a step summary that cannot be written costs one warning line, never an exception', async () => {
    const { config, summaryFile, result, lines, log } = await setup();
    await mkdir(path.dirname(summaryFile), { recursive: true });
    await mkdir(summaryFile);
    await expect(announceRun(config, result, 'sent', log)).resolves.toBeUndefined();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^pytest-platform: could not append the run summary to .*step-summary\.md: .*EISDIR/);
  });

  test('PYTEST_PLATFORM=off: nothing at all', async () => {
    const { config, summaryFile, result, lines, log } = await setup({ PYTEST_PLATFORM: 'OFF' });
    await announceRun(config, result, 'sent', log);
    expect(lines).toEqual([]);
    await expect(readFile(summaryFile, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
