import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import type { Outcome } from '@pytest-platform/schema';
import { RunCollector } from './run-collector.js';
import type { CollectorOptions } from './run-collector.js';
import { formatShard } from './run-identity.js';
import type { TestDraft } from './test-result.js';

export type PlaywrightReporterOptions = Omit<CollectorOptions, 'framework' | 'frameworkVersion'>;

/** Annotations Playwright itself acts on: already told by the outcome, like pytest's own `skip` and `xfail` markers. */
const RUNNER_ANNOTATIONS = new Set(['skip', 'fixme', 'fail', 'slow']);

/**
 * `@smoke` → `smoke` (pytest markers have no `@`, so one tag finds both), then each annotation as
 * `type`, or `type=description` when it has one, except Playwright's own `skip`, `fixme`, `fail`, `slow`.
 */
function playwrightTags(test: TestCase): string[] {
  const tags = test.tags.map((tag) => tag.replace(/^@/, ''));
  for (const annotation of test.annotations) {
    if (RUNNER_ANNOTATIONS.has(annotation.type)) continue;
    const description = annotation.description?.trim();
    tags.push(description ? `${annotation.type}=${description}` : annotation.type);
  }
  return tags;
}

/**
 * Playwright Test → one run per `playwright test`. Node ids are
 * `<file>::<describe>::…::<title>[<project>]`; retries show as `attempts`, and
 * `test.outcome()` 'flaky' is a pass with attempts > 1. `test.fail()` tests map to xfailed/xpassed.
 * Tags and annotations become tags (see {@link playwrightTags}); `--shard` is the run's shard.
 */
export default class PlaywrightReporter implements Reporter {
  readonly #options: PlaywrightReporterOptions;
  #collector: RunCollector | null = null;
  #root = process.cwd();
  #suite: Suite | null = null;
  readonly #added = new Set<string>();

  constructor(options: PlaywrightReporterOptions = {}) {
    this.#options = options;
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.#root = config.rootDir;
    this.#suite = suite;
    const shard = config.shard ? formatShard(config.shard.current, config.shard.total) : null;
    this.#collector = new RunCollector({
      cwd: this.#root, ...this.#options, framework: 'playwright', frameworkVersion: config.version,
      environment: { workers: String(config.workers) },
      overrides: { ...this.#options.overrides, shard: this.#options.overrides?.shard ?? shard ?? undefined },
    });
    this.#collector.start();
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const final = result.status === 'passed' || result.status === 'skipped' || result.retry >= test.retries || result.status === 'interrupted';
    if (final) this.#add(test);
  }

  async onEnd(result: FullResult): Promise<void> {
    if (!this.#collector) return;
    for (const test of this.#suite?.allTests() ?? []) this.#add(test);
    const status = result.status === 'interrupted' || result.status === 'timedout' ? 'interrupted' : undefined;
    await this.#collector.finish({ status });
  }

  #add(test: TestCase): void {
    if (!this.#collector || this.#added.has(test.id)) return;
    const draft = this.#draft(test);
    if (draft === null) return;
    this.#added.add(test.id);
    this.#collector.add(draft);
  }

  #draft(test: TestCase): TestDraft | null {
    const results = test.results;
    const last = results.at(-1);
    if (last === undefined && test.outcome() !== 'skipped') return null;
    const file = path.relative(this.#root, test.location.file).split(path.sep).join('/');
    const titles = test.titlePath();
    const fileIndex = titles.findIndex((title) => title !== '' && test.location.file.endsWith(title));
    const describes = titles.slice(fileIndex + 1, -1).filter(Boolean);
    const project = test.parent.project()?.name;
    let outcome: Outcome;
    switch (test.outcome()) {
      case 'expected':
        outcome = test.expectedStatus === 'failed' ? 'xfailed' : test.expectedStatus === 'skipped' ? 'skipped' : 'passed';
        break;
      case 'flaky':
        outcome = 'passed';
        break;
      case 'unexpected':
        outcome = test.expectedStatus === 'failed' && last?.status === 'passed' ? 'xpassed' : 'failed';
        break;
      case 'skipped':
        outcome = 'skipped';
        break;
    }
    const failed = results.find((r) => r.status !== 'passed' && r.status !== 'skipped' && r.errors.length > 0);
    const shown = outcome === 'failed' ? last : failed;
    const skipReason = test.annotations.find((a) => a.type === 'skip' || a.type === 'fixme')?.description;
    return {
      nodeid: `${[file, ...describes, test.title].join('::')}${project ? `[${project}]` : ''}`,
      outcome,
      duration: results.reduce((sum, r) => sum + r.duration, 0) / 1000,
      message: outcome === 'skipped' ? skipReason ?? null : shown?.errors[0]?.message ?? (last?.status === 'timedOut' ? 'timed out' : null),
      longrepr: outcome === 'skipped' ? null : shown?.errors.map((e) => e.stack ?? e.message ?? '').join('\n\n') || null,
      attempts: Math.max(1, results.length),
      file,
      line: test.location.line,
      tags: playwrightTags(test),
    };
  }
}

export { PlaywrightReporter };
