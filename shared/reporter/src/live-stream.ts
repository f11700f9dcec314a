import { limits, summarize, wireJson } from '@pytest-platform/schema';
import type { RunHeader, RunResult, TestResult } from '@pytest-platform/schema';
import type { Redis } from 'ioredis';
import type { Delivery } from './deliver-runs.js';
import { closeRedis, connectRedis } from './redis-client.js';
import type { ReporterConfig } from './reporter-config.js';
import { flushSpool, spoolRun } from './spool.js';

/**
 * The live path: `run.started`, then `run.tests` batches (at most `limits.reporterBatchTests`
 * tests or `limits.reporterBatchBytes` bytes), then `run.finished`, each carrying the full run
 * header (with its `build_id` and `shard`). Sends are chained on the event loop; the runner never
 * waits for them until `finish`. If any send fails, the whole run is spooled at the end as one
 * `run` entry (ingest upserts, so the entries that did arrive are harmless).
 */
export class LiveStream {
  readonly #config: ReporterConfig;
  readonly #header: RunHeader;
  #redis: Promise<Redis> | null = null;
  #chain: Promise<void> = Promise.resolve();
  #failure: string | null = null;
  #aborted = false;
  #batch: TestResult[] = [];
  #batchBytes = 0;
  #seq = 0;

  constructor(config: ReporterConfig, header: RunHeader) {
    this.#config = config;
    this.#header = header;
  }

  start(): void {
    this.#enqueue('run.started', this.#header);
  }

  add(test: TestResult): void {
    this.#batch.push(test);
    this.#batchBytes += JSON.stringify(test).length;
    if (this.#batch.length >= limits.reporterBatchTests || this.#batchBytes >= limits.reporterBatchBytes) this.#sendBatch();
  }

  /**
   * Sends what is left and `run.finished`, then waits for every send. When one failed, the whole
   * run is spooled and `failure` says why (the caller tells people). Throws only when spooling fails.
   */
  async finish(run: RunResult): Promise<{ delivery: Delivery; failure: string | null }> {
    this.#sendBatch();
    const { tests: _tests, ...finished } = run;
    this.#enqueue('run.finished', { ...finished, summary: run.summary ?? summarize(run.tests) });
    await this.#chain;
    if (this.#redis) {
      try {
        const redis = await this.#redis;
        if (this.#failure === null) await flushSpool(redis, this.#config.stream, this.#config.spoolDir).catch(() => undefined);
        await closeRedis(redis);
      } catch {
        // connect failed: already recorded
      }
    }
    if (this.#failure === null) return { delivery: { sent: 1, spooled: 0, flushed: 0, failure: null }, failure: null };
    if (this.#aborted) return { delivery: { sent: 0, spooled: 0, flushed: 0, failure: this.#failure }, failure: this.#failure };
    await spoolRun(this.#config.spoolDir, run);
    return { delivery: { sent: 0, spooled: 1, flushed: 0, failure: `Redis unavailable: ${this.#failure}` }, failure: `Redis unavailable: ${this.#failure}` };
  }

  /** Gives up on the connection (stop timeout reached); the caller spools the run. */
  abort(): void {
    this.#aborted = true;
    this.#failure ??= 'stop timeout';
    void this.#redis?.then((redis) => redis.disconnect(), () => undefined);
  }

  #sendBatch(): void {
    if (this.#batch.length === 0) return;
    const tests = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    this.#enqueue('run.tests', { ...this.#header, seq: this.#seq++, tests });
  }

  #enqueue(type: string, data: object): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#failure !== null) return;
      try {
        this.#redis ??= connectRedis(this.#config.redisUrl ?? '');
        const redis = await this.#redis;
        await redis.xadd(this.#config.stream, '*', 'type', type, 'data', wireJson(data));
      } catch (error) {
        this.#failure = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
      }
    });
  }
}
