import type { FailureStat, FlakyTest, Run, RunDetail, SlowTest, Trend, TrendPoint, Worker } from '@pytest-platform/schema';
import { describe, expect, test } from 'vitest';
import { REPORT_CSP, escapeHtml, renderReport, reportLimits, trendDirection, type ReportData } from '../src/index.js';
import type { QuarantinedTest } from '../src/render/quarantine-section.js';

const summary = { total: 10, passed: 8, failed: 1, skipped: 0, errors: 1, xfailed: 0, xpassed: 0, flaky: 0 };
const run = (i: number, overrides: Partial<Run> = {}): Run => ({
  run_id: `run-${i}`, project: 'demo', branch: 'main', commit: 'abc1234', worker_id: 'ci-01', framework: 'pytest',
  framework_version: '9.0.0', started_at: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(), build_id: null, shard: null, finished_at: null,
  duration: 10 + i, status: 'failed', summary, pass_rate: 0.8, environment: {}, ...overrides,
});
const point = (i: number, rate: number | null): TrendPoint => ({
  run_id: `run-${i}`, started_at: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(), pass_rate: rate,
  total: 10, passed: 8, failed: 1, errors: 1, skipped: 0, duration: 10 + i,
});

function data(overrides: Partial<ReportData> = {}): ReportData {
  const points = Array.from({ length: 12 }, (_, i) => point(i, i === 4 ? null : 0.5 + i / 30));
  const trend: Trend = { project: 'demo', branch: 'main', points };
  const latest: RunDetail = {
    ...run(11),
    failures: [
      { nodeid: 'tests/t.py::test_<img src=x onerror=alert(1)>', outcome: 'failed', duration: 0.1, message: 'boom </script><script>alert(1)</script>', longrepr: '<b>trace</b>', attempts: 1, file: 't.py', line: 3, classification: 'new' },
    ],
    failures_total: 1,
    failures_next_cursor: null,
  };
  const stats: FailureStat[] = [{ nodeid: 'a<b>', project: 'demo', failures: 3, runs: 4, failure_rate: 0.75, last_failed_at: latest.started_at, last_message: 'x"y' }];
  const workers: Worker[] = [{ worker_id: 'w<1>', status: 'online', last_seen: latest.started_at, last_run_id: 'run-11', project: 'demo', branch: 'main', runs_24h: 3, pass_rate_24h: 0.9 }];
  return { project: 'demo', branch: 'main', generatedAt: '2026-11-26T10:00:00.000Z', runs: [run(11), run(10)], trend, latest, failureStats: stats, failureStatsDays: 14, workers, ...overrides };
}

describe('renderReport', () => {
  test('is one self-contained page with a CSP and no scripts, links or remote resources', () => {
    const { html, bytes, sections } = renderReport(data());
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect(html).toContain('@media print');
    expect(bytes).toBe(Buffer.byteLength(html));
    expect(sections).toEqual(['summary', 'trend', 'new-failures', 'failures', 'flaky', 'quarantine', 'frequent-failures', 'slowest', 'runs', 'workers']);
  });

  test('escapes every string that came from a test', () => {
    const { html } = renderReport(data());
    expect(html).toContain('test_&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('boom &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;trace&lt;/b&gt;');
    expect(html).toContain('x&quot;y');
    expect(html).toContain('w&lt;1&gt;');
    expect(html).not.toContain('<img');
  });

  test('draws one point per run in each trend chart, with axes and tooltips', () => {
    const { html } = renderReport(data());
    const passChart = /<svg class="chart pass-rate"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    const durationChart = /<svg class="chart duration"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(passChart.match(/<circle class="point/g)).toHaveLength(12);
    expect(passChart.match(/<circle class="point missing"/g)).toHaveLength(1);
    expect(durationChart.match(/<circle class="point/g)).toHaveLength(12);
    expect(passChart).toContain('>100%</text>');
    expect(passChart).toContain('>0%</text>');
    expect(passChart).toContain('pass rate</text>');
  });

  test('puts tracebacks in collapsible <details>', () => {
    const { html } = renderReport(data());
    expect(html).toMatch(/<details class="failure">\s*<summary>/);
    expect(html).toContain('<pre class="traceback">');
  });

  test('stays bounded on huge projects and says how much it left out', () => {
    const huge = 'x'.repeat(60_000);
    // What the API answers for a run of 100,000 failures: the first page and the total.
    const many: RunDetail = {
      ...run(1),
      failures: Array.from({ length: 100 }, (_, i) => ({ nodeid: `tests/t.py::test_${i}`, outcome: 'failed' as const, duration: 0, message: huge, longrepr: huge, attempts: 1, file: null, line: null, classification: i % 2 ? 'new' as const : 'recurring' as const })),
      failures_total: 100_000,
      failures_next_cursor: 'next',
    };
    const workers = Array.from({ length: 500 }, (_, i): Worker => ({ worker_id: `w${i}`, status: 'offline', last_seen: many.started_at, last_run_id: null, project: null, branch: null, runs_24h: 0, pass_rate_24h: null }));
    const { html, bytes } = renderReport(data({ latest: many, workers }));
    expect(bytes).toBeLessThan(2_000_000);
    expect(html).toContain(`and ${100_000 - reportLimits.failures} more failures`);
    expect(html).toContain('Failures in the latest run <small>100000</small>');
    expect(html).toContain('50 new, 50 recurring or flaky in run <code>run-1</code> among its first 100 of 100000 failures');
    expect(html).toContain(`and ${500 - reportLimits.workers} more workers`);
    expect(html).toContain('[truncated]');
  });

  test('shows new failures, flaky and slowest tests, escaped and bounded', () => {
    const flaky = Array.from({ length: 30 }, (_, i): FlakyTest => ({
      nodeid: `tests/f.py::test_<i>${i}</i>`, file: null, kinds: ['flip', 'retry'], runs: 10, passed: 5, failed: 5, flips: 9, flip_rate: 1,
      last_run_id: 'run-11', evidence: { retry: ['run-3'], same_commit: [], flip: ['run-4'] },
    }));
    const slowest = Array.from({ length: 40 }, (_, i): SlowTest => ({
      nodeid: `tests/s.py::test_<b>${i}</b>`, median_duration: 40 - i, latest_duration: 80 - i, runs: 10, change: 2, trend: 'slower',
    }));
    const latest: RunDetail = {
      ...run(11),
      failures: [
        { nodeid: 'tests/n.py::test_<new>', outcome: 'failed', duration: 0, message: 'fresh <b>', longrepr: null, attempts: 1, file: null, line: null, classification: 'new' },
        { nodeid: 'tests/n.py::test_old', outcome: 'failed', duration: 0, message: null, longrepr: null, attempts: 1, file: null, line: null, classification: 'recurring' },
      ],
      failures_total: 2,
      failures_next_cursor: null,
    };
    const { html } = renderReport(data({ latest, flaky, flakyWindow: 30, slowest, slowestRuns: 10 }));
    const section = (id: string) => new RegExp(`<section id="${id}">[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
    expect(section('new-failures')).toContain('test_&lt;new&gt;');
    expect(section('new-failures')).toContain('fresh &lt;b&gt;');
    expect(section('new-failures')).not.toContain('test_old');
    expect(section('new-failures')).toContain('1 new, 1 recurring or flaky');
    expect(section('flaky')).toContain('test_&lt;i&gt;0&lt;/i&gt;');
    expect(section('flaky')).toContain('flipped between runs, passed after retries');
    expect(section('flaky')).toContain(`and ${30 - reportLimits.flaky} more flaky tests`);
    expect(section('slowest')).toContain('test_&lt;b&gt;0&lt;/b&gt;');
    expect(section('slowest')).toContain('slower (×2.00)');
    expect(section('slowest')).toContain(`and ${40 - reportLimits.slowest} more tests`);
    expect(html).not.toMatch(/<(new|i|b)>/);
    const none = renderReport(data()).html;
    expect(none).toContain('No flaky test in this window.');
  });

  test('shows the quarantined tests with their state in the latest run, why, by whom and until when, escaped and bounded', () => {
    const entry = (i: number, overrides: Partial<QuarantinedTest> = {}): QuarantinedTest => ({
      nodeid: `tests/q.py::test_<b>${i}</b>`, reason: `flaky <script>alert(${i})</script>`, since: '2026-11-20T10:00:00.000Z', expires_at: null, by: 'auto',
      latest_outcome: 'passed', ...overrides,
    });
    const quarantine = [
      entry(0, { latest_outcome: 'failed' }),
      entry(1, { latest_outcome: null, by: 'api', expires_at: '2026-12-24T00:00:00.000Z' }),
      ...Array.from({ length: 58 }, (_, i) => entry(i + 2)),
    ];
    const { html } = renderReport(data({ quarantine }));
    const section = /<section id="quarantine">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(section).toContain('60 quarantined; 1 of the first 50 failing in the latest run');
    expect(section).toContain('test_&lt;b&gt;0&lt;/b&gt;');
    expect(section).toContain('flaky &lt;script&gt;alert(0)&lt;/script&gt;');
    expect(section).toContain('<span class="badge failed">failed</span>');
    expect(section).toContain('not run');
    expect(section).toContain('by hand (API)');
    expect(section).toContain('2026-12-24');
    expect(section).toContain('and 10 more quarantined tests');
    expect(section).not.toMatch(/<(b|script)>/);
    expect(renderReport(data()).html).toContain('No test is quarantined.');
  });

  test('handles a project without runs', () => {
    const { html } = renderReport(data({ runs: [], latest: null, trend: { project: 'demo', branch: null, points: [] }, failureStats: [], workers: [] }));
    expect(html).toContain('No runs stored');
    expect(html).not.toContain('<circle');
  });
});

test('escapeHtml escapes the five HTML specials', () => {
  expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('trendDirection compares the newer half with the older half, 2 points threshold', () => {
  expect(trendDirection([0.5, 0.6, 0.9, 1])).toEqual({ direction: 'improving', delta: 0.4 });
  expect(trendDirection([1, 0.9, 0.6, 0.5])).toEqual({ direction: 'declining', delta: -0.4 });
  expect(trendDirection([0.9, 0.91, 0.9, 0.91])).toMatchObject({ direction: 'stable' });
  expect(trendDirection([0.9, null])).toEqual({ direction: 'stable', delta: null });
});
