import path from 'node:path';
import type { Outcome } from '@pytest-platform/schema';
import type { Reporter, TestCase, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import { RunCollector } from './run-collector.js';
import type { CollectorOptions } from './run-collector.js';
import { formatShard } from './run-identity.js';
import type { TestDraft } from './test-result.js';

/** Options of {@link VitestReporter}; identity overrides and a custom config, mostly for tests. */
export type VitestReporterOptions = Omit<CollectorOptions, 'framework' | 'frameworkVersion'>;

const toPosix = (file: string) => file.split(path.sep).join('/');

const joinErrors = (errors: readonly { message?: string; stack?: string }[] | undefined) =>
  (errors ?? []).map((error) => error.stack || error.message || '').filter(Boolean).join('\n\n') || null;

/**
 * Vitest (Reporter API v4) → one run per `vitest run`. Node ids are
 * `<file relative to the root>::<describe>::…::<test name>`; `retry` shows as `attempts`, test
 * `tags` (Vitest 4.1) as tags, `--shard` as the run's shard.
 */
export default class VitestReporter implements Reporter {
  readonly #options: VitestReporterOptions;
  #collector: RunCollector | null = null;
  #root = process.cwd();
  readonly #seen = new Set<string>();

  constructor(options: VitestReporterOptions = {}) {
    this.#options = options;
  }

  onInit(vitest: Vitest): void {
    this.#root = vitest.config.root;
    const shard = vitest.config.shard ? formatShard(vitest.config.shard.index, vitest.config.shard.count) : null;
    this.#collector = new RunCollector({
      cwd: this.#root, ...this.#options, framework: 'vitest', frameworkVersion: vitest.version,
      overrides: { ...this.#options.overrides, shard: this.#options.overrides?.shard ?? shard ?? undefined },
    });
  }

  onTestRunStart(): void {
    this.#collector?.start();
  }

  onTestCaseResult(testCase: TestCase): void {
    this.#add(testCase);
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>, _errors: ReadonlyArray<unknown>, reason: TestRunEndReason): Promise<void> {
    const collector = this.#collector;
    if (!collector) return;
    for (const module of testModules) {
      for (const testCase of module.children.allTests()) this.#add(testCase);
      const errors = module.errors();
      if (errors.length > 0) {
        collector.add({ nodeid: this.#file(module.moduleId), outcome: 'error', message: errors[0]?.message, longrepr: joinErrors(errors), file: this.#file(module.moduleId) });
      }
    }
    await collector.finish({ status: reason === 'interrupted' ? 'interrupted' : undefined });
  }

  #file(moduleId: string): string {
    return toPosix(path.relative(this.#root, moduleId));
  }

  #add(testCase: TestCase): void {
    if (!this.#collector || this.#seen.has(testCase.id)) return;
    const draft = this.#draft(testCase);
    if (draft === null) return;
    this.#seen.add(testCase.id);
    this.#collector.add(draft);
  }

  #draft(testCase: TestCase): TestDraft | null {
    const result = testCase.result();
    const diagnostic = testCase.diagnostic();
    const file = this.#file(testCase.module.moduleId);
    const suites: string[] = [];
    for (let parent = testCase.parent; parent.type === 'suite'; parent = parent.parent) suites.unshift(parent.name);
    let outcome: Outcome;
    let message: string | null = null;
    let longrepr: string | null = null;
    switch (result.state) {
      case 'passed':
        outcome = 'passed';
        break;
      case 'failed':
        outcome = 'failed';
        message = result.errors[0]?.message ?? null;
        longrepr = joinErrors(result.errors);
        break;
      case 'skipped':
        outcome = 'skipped';
        message = result.note ?? (testCase.options.mode === 'todo' ? 'todo' : null);
        break;
      case 'pending':
        return null;
    }
    return {
      nodeid: [file, ...suites, testCase.name].join('::'),
      outcome,
      duration: (diagnostic?.duration ?? 0) / 1000,
      message,
      longrepr,
      attempts: (diagnostic?.retryCount ?? 0) + 1,
      file,
      line: testCase.location?.line ?? null,
      tags: testCase.tags ?? testCase.options.tags,
    };
  }
}

export { VitestReporter };
