import type { Logger } from 'pino';
import { backoffMs, sleep } from './backoff.js';
import { NOTHING_LEFT, type BatchHandler, type LeftPending } from './batch-handler.js';
import type { BatchSizer } from './batch-sizer.js';
import type { IngestCounters } from './ingest-stats.js';
import type { ResultsStream } from './results-stream.js';
import type { Scheduler } from './scheduler.js';
import { errorMessage } from './store-unavailable.js';
import type { StreamMessage } from './stream-message.js';

export interface ConsumerOptions {
  stream: ResultsStream;
  batches: BatchHandler;
  scheduler: Scheduler;
  sizer: BatchSizer;
  /** `INGEST_BLOCK_MS`: longest XREADGROUP BLOCK. */
  blockMs: number;
  /** `INGEST_CLAIM_IDLE_MS`: entries pending this long at another consumer are claimed. */
  claimIdleMs: number;
  counters: IngestCounters;
  logger: Logger;
  /** The closing flag: aborted by ingest's `close()`, which also breaks a blocking read in progress. */
  signal: AbortSignal;
}

/**
 * The consume loop. Each turn runs the housekeeping that is due, then reads one batch: this
 * consumer's own pending entries first (after a restart, or to retry a failed write after a backoff),
 * then entries idle at other consumers (XAUTOCLAIM), else new entries, blocking until the next claim,
 * retry or housekeeping task is due. Errors are logged and counted; the loop goes on until closed.
 */
export class Consumer {
  private reading = false;
  /** Where the next read of the own pending list starts; `null` once it was read to its end. */
  private ownCursor: string | null = '0-0';
  /** The own pending list gained entries while it was being read: read it again from the start. */
  private ownAgain = false;
  private retryOwnAt = 0;
  private claimCursor = '0-0';
  private nextClaimAt = 0;
  private readonly claimEveryMs: number;

  constructor(private readonly o: ConsumerOptions) {
    this.claimEveryMs = Math.min(Math.max(Math.floor(o.claimIdleMs / 2), 100), 10_000);
  }

  /** Waiting in XREADGROUP BLOCK: what closing has to interrupt. */
  get isReading(): boolean {
    return this.reading;
  }

  private get closing(): boolean {
    return this.o.signal.aborted;
  }

  /** Runs until the signal aborts; resolves after the batch in hand was acknowledged (or left pending). */
  async run(): Promise<void> {
    let failures = 0;
    while (!this.closing) {
      try {
        await this.o.scheduler.runDue();
        const left = await this.turn();
        if (left === null) continue;
        if (left.pending > 0) this.retryOwnLater(left.deliveries);
        failures = 0;
      } catch (error) {
        if (this.closing) break;
        failures += 1;
        this.o.counters.errors += 1;
        this.o.logger.error({ err: error }, 'ingest loop error; entries in hand stay pending, retrying');
        if (errorMessage(error).startsWith('NOGROUP')) await this.o.stream.ensureGroup().catch(() => {});
        this.retryOwnLater(0);
        await sleep(backoffMs(failures), this.o.signal);
      }
    }
  }

  /** One read and its batch; `null` when the own pending list was just read to its end. */
  private turn(): Promise<LeftPending | null> {
    const now = Date.now();
    if (this.ownCursor !== null && now >= this.retryOwnAt) return this.readOwnPending(this.ownCursor);
    if (now >= this.nextClaimAt) return this.claimIdle(now);
    return this.readNew(now);
  }

  private async readOwnPending(cursor: string): Promise<LeftPending | null> {
    const messages = await this.o.stream.readOwnPending(cursor, this.o.sizer.count());
    if (messages.length === 0) {
      this.ownCursor = this.ownAgain ? '0-0' : null;
      this.ownAgain = false;
      return null;
    }
    this.ownCursor = messages.at(-1)?.id ?? cursor;
    return this.handle(messages, true);
  }

  private async claimIdle(now: number): Promise<LeftPending> {
    const { stream, logger, sizer } = this.o;
    const claim = await stream.autoclaim(this.o.claimIdleMs, this.claimCursor, sizer.count());
    this.claimCursor = claim.cursor;
    if (claim.cursor === '0-0') this.nextClaimAt = now + this.claimEveryMs;
    if (claim.deleted.length > 0) {
      logger.warn({ ids: claim.deleted.slice(0, 100), count: claim.deleted.length }, 'pending entries were deleted from the stream before they were stored');
    }
    if (claim.messages.length === 0) return NOTHING_LEFT;
    this.o.counters.claimed += claim.messages.length;
    logger.info({ count: claim.messages.length }, 'claimed entries left pending by another consumer');
    return this.handle(claim.messages, true);
  }

  private async readNew(now: number): Promise<LeftPending> {
    const wakeAt = Math.min(this.nextClaimAt, this.o.scheduler.nextDueAt(), this.ownCursor === null ? Infinity : this.retryOwnAt);
    const blockMs = Math.max(1, Math.min(this.o.blockMs, wakeAt - now));
    if (this.closing) return NOTHING_LEFT;
    this.reading = true;
    let messages: StreamMessage[];
    try {
      messages = await this.o.stream.readNew(this.o.sizer.count(), blockMs);
    } finally {
      this.reading = false;
    }
    return messages.length > 0 ? this.handle(messages, false) : NOTHING_LEFT;
  }

  private handle(messages: readonly StreamMessage[], redelivered: boolean): Promise<LeftPending> {
    this.o.counters.read += messages.length;
    this.o.sizer.measure(messages);
    return this.o.batches.handle(messages, redelivered);
  }

  /** Reads the own pending list again after a backoff that grows with the entries' deliveries. */
  private retryOwnLater(deliveries: number): void {
    if (this.ownCursor === null) this.ownCursor = '0-0';
    else this.ownAgain = true;
    this.retryOwnAt = Date.now() + backoffMs(Math.max(1, deliveries));
  }
}
