import { createRequire } from 'node:module';
import path from 'node:path';
import type { Outcome } from '@pytest-platform/schema';
import { RunCollector } from './run-collector.js';
import type { CollectorOptions } from './run-collector.js';
import { formatShard } from './run-identity.js';

/** The parts of Jest's `AssertionResult` this reporter reads (kept structural across Jest versions). */
interface JestAssertion {
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled' | 'focused';
  duration?: number | null;
  failureMessages: string[];
  invocations?: number;
  retryReasons?: string[];
  location?: { line: number; column: number } | null;
}

interface JestTestFileResult {
  testFilePath: string;
  testResults: JestAssertion[];
  failureMessage?: string | null;
  testExecError?: { message: string; stack?: string | null } | null;
}

/** The parts of Jest's `GlobalConfig` this reporter reads. */
interface JestGlobalConfig {
  rootDir: string;
  /** `--shard=k/n` */
  shard?: { shardIndex: number; shardCount: number } | null;
}

interface JestAggregated {
  testResults: JestTestFileResult[];
  wasInterrupted?: boolean;
}

export type JestReporterOptions = Omit<CollectorOptions, 'framework' | 'frameworkVersion'>;

function jestVersion(rootDir: string): string | null {
  for (const from of [path.join(rootDir, 'package.json'), import.meta.url]) {
    try {
      return (createRequire(from)('jest/package.json') as { version: string }).version;
    } catch {
      // try the next place
    }
  }
  return null;
}

function outcomeOf(status: JestAssertion['status']): Outcome {
  switch (status) {
    case 'passed': return 'passed';
    case 'failed': return 'failed';
    case 'skipped':
    case 'pending':
    case 'todo':
    case 'disabled':
    case 'focused':
      return 'skipped';
  }
}

/**
 * Jest → one run per `jest` invocation. Node ids are `<file>::<describe>::…::<test>`;
 * `jest.retryTimes` shows as `attempts` (from `invocations`, else `retryReasons`).
 * A test file that failed to run becomes one `error` test named after the file. `--shard` is the run's shard.
 */
export default class JestReporter {
  readonly #collector: RunCollector;
  readonly #rootDir: string;

  constructor(globalConfig: JestGlobalConfig, reporterOptions?: JestReporterOptions) {
    this.#rootDir = globalConfig.rootDir;
    const shard = globalConfig.shard ? formatShard(globalConfig.shard.shardIndex, globalConfig.shard.shardCount) : null;
    this.#collector = new RunCollector({
      cwd: this.#rootDir, ...(reporterOptions ?? {}), framework: 'jest', frameworkVersion: jestVersion(this.#rootDir),
      overrides: { ...reporterOptions?.overrides, shard: reporterOptions?.overrides?.shard ?? shard ?? undefined },
    });
  }

  onRunStart(): void {
    this.#collector.start();
  }

  onTestResult(_test: unknown, result: JestTestFileResult): void {
    const file = path.relative(this.#rootDir, result.testFilePath).split(path.sep).join('/');
    if (result.testExecError && result.testResults.length === 0) {
      this.#collector.add({
        nodeid: file, outcome: 'error', message: result.testExecError.message,
        longrepr: result.failureMessage ?? result.testExecError.stack ?? result.testExecError.message, file,
      });
      return;
    }
    for (const assertion of result.testResults) {
      const outcome = outcomeOf(assertion.status);
      const retries = assertion.retryReasons?.length ?? 0;
      this.#collector.add({
        nodeid: [file, ...assertion.ancestorTitles, assertion.title].join('::'),
        outcome,
        duration: (assertion.duration ?? 0) / 1000,
        message: outcome === 'failed' ? assertion.failureMessages[0] : assertion.status === 'todo' ? 'todo' : null,
        longrepr: outcome === 'failed' ? assertion.failureMessages.join('\n\n') : null,
        attempts: Math.max(assertion.invocations ?? 1, retries + 1),
        file,
        line: assertion.location?.line ?? null,
      });
    }
  }

  async onRunComplete(_contexts: unknown, results: JestAggregated): Promise<void> {
    await this.#collector.finish({ status: results.wasInterrupted ? 'interrupted' : undefined });
  }

  getLastError(): undefined {
    return undefined;
  }
}

export { JestReporter };
