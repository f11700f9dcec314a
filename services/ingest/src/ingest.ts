import type { Logger } from 'pino';
import type { Store } from '@pytest-platform/db';
import { redactUrl } from '@pytest-platform/redis';
import { backoffMs, sleep } from './backoff.js';
import { BatchHandler } from './batch-handler.js';
import { BatchSizer } from './batch-sizer.js';
import { Consumer } from './consumer.js';
import type { IngestConfig } from './env.js';
import { durationsTask } from './housekeeping/durations.js';
import { optimizeTask } from './housekeeping/optimize.js';
import { Publisher } from './housekeeping/publisher.js';
import { quarantineTask } from './housekeeping/quarantine.js';
import { retentionTask } from './housekeeping/retention.js';
import { sweepTask } from './housekeeping/sweep.js';
import { trimTask } from './housekeeping/trim.js';
import { newCounters, type IngestStats } from './ingest-stats.js';
import { createLogger } from './logger.js';
import { RedisConnections } from './redis-connections.js';
import { ResultsStream } from './results-stream.js';
import { openRunStore, type RunStore } from './run-store.js';
import { Scheduler, type Task } from './scheduler.js';

export interface IngestDeps {
  /** @defaultValue a pino logger on stdout at `config.logLevel` */
  logger?: Logger;
  /** An open store to write into instead of opening `config.database`; the caller closes it. */
  store?: Store;
}

export interface Ingest {
  /** Opens the store, creates the consumer group and starts the loop; resolves once it runs (logged as `ready`). */
  start(): Promise<void>;
  /** Finishes the batch in hand, acknowledges it and releases everything. Idempotent. */
  close(): Promise<void>;
  stats(): IngestStats;
  /**
   * Resolves once the consume loop runs and Redis answers a PING within `timeoutMs`; rejects with the
   * reason otherwise (starting, closing, connection down). What ingest's readiness probe asks.
   */
  checkReady(timeoutMs?: number): Promise<void>;
}

/** The ingest consumer: results stream → validation → one transaction per batch → XACK. */
export function createIngest(config: IngestConfig, deps: IngestDeps = {}): Ingest {
  return new IngestService(config, deps.logger ?? createLogger(config.logLevel), deps.store);
}

/** Start and close around the {@link Consumer} loop: the store, the Redis connections, and what the loop is built from. */
class IngestService implements Ingest {
  private readonly counters = newCounters();
  private readonly stopping = new AbortController();
  private store: RunStore | undefined;
  private connections: RedisConnections | undefined;
  private consumer: Consumer | undefined;
  private loop: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly config: IngestConfig,
    private readonly logger: Logger,
    private readonly existingStore: Store | undefined,
  ) {}

  private get closing(): boolean {
    return this.stopping.signal.aborted;
  }

  start(): Promise<void> {
    if (this.closing) return Promise.reject(new Error('ingest was closed'));
    this.started ??= this.open();
    return this.started;
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  stats(): IngestStats {
    return { consumer: this.config.consumer, ...this.counters };
  }

  async checkReady(timeoutMs = 1_500): Promise<void> {
    if (this.closing) throw new Error('ingest is stopping');
    if (!this.loop || !this.connections) throw new Error('ingest is starting: waiting for the database and Redis');
    await this.connections.checkReady(timeoutMs);
  }

  private async open(): Promise<void> {
    const { config } = this;
    const store = (this.store = await openRunStore(config.database, this.existingStore, (message, detail) => this.logger.info(detail, message)));
    if (this.closing) return;
    const connections = (this.connections = new RedisConnections(config.redisUrl, config.consumer, this.logger));
    const stream = new ResultsStream(connections.redis, connections.blocking, config.stream, config.consumer);
    await this.retryUntilDone('create the consumer group', () => stream.ensureGroup());
    await this.retryUntilDone('identify the reading connection', () => connections.identify());
    if (this.closing) return;
    this.consumer = this.createConsumer(store, stream, new Publisher(connections.redis, store.db, config.stream));
    this.loop = this.consumer.run();
    this.logger.info(
      {
        stream: config.stream, group: stream.group, consumer: config.consumer, redis: redactUrl(config.redisUrl),
        database: store.dialect === 'sqlite' && config.database.dialect === 'sqlite' ? config.database.filename : store.dialect,
      },
      'ready',
    );
  }

  private createConsumer(store: RunStore, stream: ResultsStream, publisher: Publisher): Consumer {
    const { config, counters, logger } = this;
    const signal = this.stopping.signal;
    const foldMs = config.foldSeconds * 1000;
    const tasks: Task[] = [
      trimTask({ stream, everyMs: config.trimIntervalMs, counters, logger }),
      sweepTask({ db: store.db, everyMs: config.sweepSeconds * 1000, staleMs: config.runStaleSeconds * 1000, counters, logger }),
      optimizeTask(store),
      durationsTask({ db: store.db, dialect: store.dialect, publisher, everyMs: foldMs, counters, logger }),
      quarantineTask({ db: store.db, publisher, everyMs: foldMs, policy: config.quarantine, counters, logger }),
    ];
    if (config.retentionDays !== null) tasks.push(retentionTask({ db: store.db, retentionDays: config.retentionDays, counters, logger }));
    return new Consumer({
      stream,
      batches: new BatchHandler({ stream, writer: store.writer, maxDeliveries: config.maxDeliveries, counters, logger, signal }),
      scheduler: new Scheduler(tasks, logger, () => (counters.errors += 1)),
      sizer: new BatchSizer(config.batchSize, config.batchBytes),
      blockMs: config.blockMs,
      claimIdleMs: config.claimIdleMs,
      counters,
      logger,
      signal,
    });
  }

  private async retryUntilDone(what: string, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 1; !this.closing; attempt += 1) {
      try {
        await fn();
        return;
      } catch (error) {
        this.logger.error({ err: error, attempt }, `could not ${what}; retrying`);
        await sleep(backoffMs(attempt), this.stopping.signal);
      }
    }
  }

  /** Lets the loop finish its batch; a blocking read is broken, and dropped if it outlasts its own timeout. */
  private async stopLoop(): Promise<void> {
    if (!this.loop) return;
    if (this.consumer?.isReading) await this.connections?.unblock();
    const timeout = new AbortController();
    const finished = await Promise.race([
      this.loop.then(() => true),
      sleep(this.config.blockMs + 1000, timeout.signal).then(() => false),
    ]);
    timeout.abort();
    if (!finished) {
      this.connections?.blocking.disconnect();
      await this.loop;
    }
  }

  private async shutdown(): Promise<void> {
    this.stopping.abort();
    await this.started?.catch(() => {});
    await this.stopLoop();
    await this.connections?.close();
    await this.store?.close();
    this.logger.info({ ...this.counters, consumer: this.config.consumer }, 'closed');
  }
}
