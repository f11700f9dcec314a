import { randomUUID } from 'node:crypto';
import { limits, statusFromSummary, summarize } from '@pytest-platform/schema';
import type { RunHeader, RunResult, RunStatus, TestResult } from '@pytest-platform/schema';
import type { Delivery, Log } from './deliver-runs.js';
import { deliverRuns, stderrLog } from './deliver-runs.js';
import { LiveStream } from './live-stream.js';
import { readReporterConfig } from './reporter-config.js';
import type { ReporterConfig } from './reporter-config.js';
import { resolveIdentity } from './run-identity.js';
import type { IdentityOverrides } from './run-identity.js';
import { announceRun } from './run-output.js';
import { spoolRun } from './spool.js';
import { toTestResult } from './test-result.js';
import type { TestDraft } from './test-result.js';
import { UniqueNodeids } from './unique-nodeids.js';


export interface CollectorOptions {
  /** The test runner, e.g. `vitest`. */
  framework: string;
  frameworkVersion?: string | null;
  /** @defaultValue {@link readReporterConfig} of `process.env` */
  config?: ReporterConfig;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  overrides?: IdentityOverrides;
  /** Extra `environment` entries (runner settings, browser…). */
  environment?: Record<string, string>;
  startedAt?: Date;
  /** Where the one warning line goes. @defaultValue stderr */
  log?: Log;
}

export interface FinishOptions {
  /** @defaultValue derived from the tests' outcomes */
  status?: RunStatus;
  finishedAt?: Date;
}

/**
 * Builds one RunResult in memory while a runner reports tests, then hands it to Redis: one `run`
 * entry at the end, or live entries when `PYTEST_PLATFORM_LIVE=1`, then says where it went (see
 * {@link announceRun}). Inactive (a no-op that still collects) without a Redis URL or with
 * `PYTEST_PLATFORM=off`. Nothing here throws into the runner.
 */
export class RunCollector {
  readonly header: RunHeader;
  readonly config: ReporterConfig;
  readonly #tests: TestResult[] = [];
  readonly #nodeids = new UniqueNodeids();
  readonly #log: Log;
  readonly #live: LiveStream | null;
  #finished: Promise<Delivery | null> | null = null;

  constructor(options: CollectorOptions) {
    this.config = options.config ?? readReporterConfig(options.env);
    this.#log = options.log ?? stderrLog;
    const identity = resolveIdentity({ env: options.env, cwd: options.cwd, overrides: options.overrides });
    const environment = { ...identity.environment };
    for (const [key, value] of Object.entries(options.environment ?? {})) {
      if (Object.keys(environment).length >= limits.environmentKeys) break;
      environment[key.slice(0, limits.nameLength)] = value.slice(0, limits.environmentValueLength);
    }
    this.header = {
      run_id: randomUUID(),
      project: identity.project,
      branch: identity.branch,
      commit: identity.commit,
      worker_id: identity.worker_id,
      framework: options.framework.slice(0, limits.nameLength) || 'unknown',
      framework_version: options.frameworkVersion?.slice(0, limits.nameLength) || null,
      started_at: (options.startedAt ?? new Date()).toISOString(),
      build_id: identity.build_id ?? null,
      shard: identity.shard ?? null,
      environment,
    };
    this.#live = this.active && this.config.live ? new LiveStream(this.config, this.header) : null;
  }

  /** `false` when no Redis URL is set or `PYTEST_PLATFORM=off`: nothing will be sent, spooled or printed. */
  get active(): boolean {
    return this.config.enabled && this.config.redisUrl !== null;
  }

  get tests(): readonly TestResult[] {
    return this.#tests;
  }

  /** Live mode: announces the run (`run.started`) without waiting for Redis. */
  start(): void {
    this.#live?.start();
  }

  /** Records one finished test; its node id is made unique within the run. */
  add(draft: TestDraft): TestResult {
    const test = toTestResult(draft);
    test.nodeid = this.#nodeids.claim(test.nodeid);
    if (this.#tests.length < limits.testsPerRun) {
      this.#tests.push(test);
      this.#live?.add(test);
    }
    return test;
  }

  /** The run as it stands, finished now unless told otherwise. */
  result(options: FinishOptions = {}): RunResult {
    const started = Date.parse(this.header.started_at);
    // A clock set back during the run (NTP) must not make it finish before it started: receivers refuse that.
    const finished = Math.max((options.finishedAt ?? new Date()).getTime(), started);
    const summary = summarize(this.#tests);
    return {
      ...this.header,
      finished_at: new Date(finished).toISOString(),
      duration: (finished - started) / 1000,
      status: options.status ?? statusFromSummary(summary),
      summary,
      tests: [...this.#tests],
    };
  }

  /**
   * Sends the run and waits at most the stop timeout; whatever is not on the stream by then goes
   * to the spool. Then announces the run (end line, CI summary) unless it was lost. Resolves `null`
   * when inactive. Calling it again returns the same promise.
   */
  finish(options: FinishOptions = {}): Promise<Delivery | null> {
    this.#finished ??= this.#finish(this.result(options));
    return this.#finished;
  }

  async #finish(run: RunResult): Promise<Delivery | null> {
    if (!this.active) return null;
    const { delivery, failure } = await this.#deliver(run);
    if (delivery.sent > 0) await announceRun(this.config, run, 'sent', this.#log);
    else if (delivery.spooled > 0) await announceRun(this.config, run, 'spooled', this.#log, failure);
    return delivery;
  }

  /** Sends the run within the stop timeout, else spools it; `failure` says why it was not sent. */
  async #deliver(run: RunResult): Promise<{ delivery: Delivery; failure: string | null }> {
    const sending = this.#live ? this.#live.finish(run) : this.#send(run);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.stopTimeoutMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([sending, timeout]);
      if (outcome !== 'timeout') return outcome;
      this.#live?.abort();
      await spoolRun(this.config.spoolDir, run);
      return { delivery: { sent: 0, spooled: 1, flushed: 0, failure: null }, failure: `sending took longer than ${this.config.stopTimeoutMs / 1000}s` };
    } catch (error) {
      this.#log(`pytest-platform: results of this run were not delivered: ${(error as Error).message}`);
      return { delivery: { sent: 0, spooled: 0, flushed: 0, failure: null }, failure: null };
    } finally {
      clearTimeout(timer);
    }
  }

  /** One `run` entry through {@link deliverRuns}. */
  async #send(run: RunResult): Promise<{ delivery: Delivery; failure: string | null }> {
    const delivery = await deliverRuns(this.config, [run], this.#log);
    return { delivery, failure: delivery.failure };
  }

}
