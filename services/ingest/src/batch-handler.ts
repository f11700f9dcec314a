import type { Logger } from 'pino';
import { parseEntry, type StreamEntry } from '@pytest-platform/schema';
import { RunIdTakenError, type RunWriter, type StoredRun } from '@pytest-platform/db';
import { backoffMs, sleep } from './backoff.js';
import type { IngestCounters } from './ingest-stats.js';
import type { DeadLetter, ResultsStream } from './results-stream.js';
import { errorMessage, isConstraintError, isStoreUnavailable } from './store-unavailable.js';
import { fieldText, type StreamMessage } from './stream-message.js';

interface Valid {
  message: StreamMessage;
  entry: StreamEntry;
}

/** An entry still to be stored: its message and the fields it holds. */
interface Candidate {
  message: StreamMessage;
  fields: Readonly<Record<string, Buffer | string>>;
}

/** Decodes and parses one entry (its `data` is text only for the parse). */
const parseCandidate = ({ fields }: Candidate) => parseEntry(fieldText(fields, 'type'), fieldText(fields, 'data'));

interface Failed {
  message: StreamMessage;
  error: unknown;
}

/** What a batch left pending for a later delivery: how many entries, and the most deliveries among them. */
export interface LeftPending {
  pending: number;
  deliveries: number;
}

export interface BatchHandlerOptions {
  stream: ResultsStream;
  writer: RunWriter;
  /** `INGEST_MAX_DELIVERIES`. */
  maxDeliveries: number;
  counters: IngestCounters;
  logger: Logger;
  /** Aborted when ingest closes: a batch the database refuses is then left pending instead of retried. */
  signal: AbortSignal;
}

const ids = (items: readonly { message: StreamMessage }[]) => items.map((i) => i.message.id);

/** A batch that left nothing pending. */
export const NOTHING_LEFT: LeftPending = { pending: 0, deliveries: 0 };

/** An error about the entry itself (a constraint it breaks, another project's run id), not the database. */
const isEntryRefusal = (error: unknown) => isConstraintError(error) || error instanceof RunIdTakenError;

/** The entry `error` refused: the same run id for the same other project. */
const refusedBy = (error: RunIdTakenError, entry: StreamEntry) => entry.data.run_id === error.runId && entry.data.project === error.project;

/**
 * One batch of stream entries from validation to acknowledgement: invalid entries and entries out of
 * deliveries are dead-lettered with the reason, the rest are written in one transaction and
 * acknowledged only after it committed.
 */
export class BatchHandler {
  constructor(private readonly o: BatchHandlerOptions) {}

  /**
   * Validates, stores and acknowledges one batch; returns what is left pending for a later retry.
   * The batch is first written as it is parsed ({@link writeAsParsed}); only when that write fails
   * is it parsed whole and written again, split as far as needed to find what the database refuses.
   */
  async handle(messages: readonly StreamMessage[], redelivered: boolean): Promise<LeftPending> {
    const { maxDeliveries, logger } = this.o;
    const deliveries = redelivered ? await this.o.stream.deliveryCounts(messages.map((m) => m.id)) : undefined;
    const deliveriesOf = (id: string) => deliveries?.get(id) ?? 1;
    const { candidates, unreadable } = this.screen(messages, deliveries);
    const written = await this.writeAsParsed(candidates);
    if (written !== null) {
      await this.deadLetter([...unreadable, ...written.invalid]);
      if (written.stored.length > 0) await this.acknowledge(written.stored, written.runs);
      return NOTHING_LEFT;
    }
    const { valid, invalid } = this.validate(candidates);
    await this.deadLetter([...unreadable, ...invalid]);
    const failed = await this.store(valid);
    // Another project's run: refused at once with the reason, never retried.
    await this.deadLetter(failed.filter((f) => f.error instanceof RunIdTakenError).map((f) => ({ message: f.message, reason: errorMessage(f.error) })));
    const rejected = failed.filter((f) => !(f.error instanceof RunIdTakenError));
    const exhausted = rejected.filter((f) => deliveriesOf(f.message.id) >= maxDeliveries);
    await this.deadLetter(
      exhausted.map((f) => ({ message: f.message, reason: `write failed ${deliveriesOf(f.message.id)} times: ${errorMessage(f.error)}` })),
    );
    const left = rejected.filter((f) => deliveriesOf(f.message.id) < maxDeliveries);
    for (const f of left) {
      logger.warn(
        { err: f.error, source_id: f.message.id, deliveries: deliveriesOf(f.message.id), max_deliveries: maxDeliveries },
        'write failed; entry stays pending for another delivery',
      );
    }
    return { pending: left.length, deliveries: Math.max(0, ...left.map((f) => deliveriesOf(f.message.id))) };
  }

  /** Leaves out entries no longer pending (of a redelivered batch); deleted and exhausted entries are unreadable. */
  private screen(messages: readonly StreamMessage[], deliveries: Map<string, number> | undefined) {
    const { maxDeliveries } = this.o;
    const unreadable: DeadLetter[] = [];
    const candidates: Candidate[] = [];
    for (const message of messages) {
      if (deliveries && !deliveries.has(message.id)) continue;
      const n = deliveries?.get(message.id) ?? 1;
      if (message.fields === null) {
        unreadable.push({ message, reason: 'entry was deleted from the stream before it was stored' });
      } else if (n > maxDeliveries) {
        unreadable.push({ message, reason: `not stored after ${n - 1} deliveries (max ${maxDeliveries}); a consumer may have died on it` });
      } else {
        candidates.push({ message, fields: message.fields });
      }
    }
    return { candidates, unreadable };
  }

  /**
   * The whole batch in one transaction, each entry parsed just before it is written, so a batch's
   * parsed runs die young instead of living until the commit (memory and GC stay those of one
   * entry). Entries that do not parse are left out for the dead-letter stream. `null` when the
   * write failed: nothing was written, and the caller takes the batch apart.
   */
  private async writeAsParsed(candidates: readonly Candidate[]) {
    const stored: Candidate[] = [];
    const invalid: DeadLetter[] = [];
    function* parsed(): Generator<StreamEntry> {
      for (const candidate of candidates) {
        const result = parseCandidate(candidate);
        if (!result.ok) {
          invalid.push({ message: candidate.message, reason: result.reason });
          continue;
        }
        stored.push(candidate);
        yield result.entry;
      }
    }
    try {
      const runs = await this.o.writer.write(parsed(), Date.now());
      return { stored, invalid, runs };
    } catch {
      return null;
    }
  }

  /** Parses every entry up front: the batch is taken apart only after a failed write. */
  private validate(candidates: readonly Candidate[]) {
    const invalid: DeadLetter[] = [];
    const valid: Valid[] = [];
    for (const candidate of candidates) {
      const { message } = candidate;
      const parsed = parseCandidate(candidate);
      if (parsed.ok) valid.push({ message, entry: parsed.entry });
      else invalid.push({ message, reason: parsed.reason });
    }
    return { valid, invalid };
  }

  /**
   * Stores entries in one transaction and acknowledges them. A rejected batch is split to find the
   * entries the database rejects (returned, still pending); while the database refuses every write
   * the batch is retried in memory, unacknowledged, until it succeeds or ingest closes.
   */
  private async store(items: readonly Valid[]): Promise<Failed[]> {
    const { counters, logger, signal } = this.o;
    const rejected: Failed[] = [];
    let queue = items;
    for (let attempt = 1; queue.length > 0; attempt += 1) {
      let runs: StoredRun[] | undefined;
      let error: unknown;
      try {
        runs = await this.o.writer.write(queue.map((i) => i.entry), Date.now());
      } catch (caught) {
        error = caught;
      }
      if (runs) {
        await this.acknowledge(queue, runs);
        return rejected;
      }
      if (error instanceof RunIdTakenError) {
        const taken = error;
        const refused = queue.filter((i) => refusedBy(taken, i.entry));
        if (refused.length > 0) {
          // The refused entries out, the rest written again: no entry-by-entry isolation for them.
          rejected.push(...refused.map((i) => ({ message: i.message, error: taken })));
          queue = queue.filter((i) => !refusedBy(taken, i.entry));
          attempt -= 1;
          continue;
        }
      }
      if (!isStoreUnavailable(error)) {
        const isolated = await this.isolate(queue);
        const first = isolated.failed[0];
        const allSame =
          first !== undefined && queue.length > 1 && isolated.failed.length === queue.length &&
          isolated.failed.every((f) => !isEntryRefusal(f.error) && errorMessage(f.error) === errorMessage(first.error));
        if (allSame) {
          error = first.error;
        } else {
          rejected.push(...isolated.failed);
          if (isolated.unavailable === undefined) return rejected;
          queue = isolated.rest;
          error = isolated.unavailable;
        }
      }
      if (signal.aborted) {
        logger.warn({ err: error, pending: queue.length }, 'stopping while the database refuses writes; entries stay pending');
        return rejected;
      }
      counters.storeRetries += 1;
      logger.error({ err: error, entries: queue.length, attempt }, 'database refused the batch; entries stay pending, retrying');
      await this.o.stream.touch(ids(queue)).catch((touchError: unknown) => logger.warn({ err: touchError }, 'could not refresh pending entries'));
      await sleep(backoffMs(attempt), signal);
    }
    return rejected;
  }

  /** Writes entries one at a time to find the ones the database rejects; stops if the database itself fails. */
  private async isolate(queue: readonly Valid[]) {
    const stored: Valid[] = [];
    const runs: StoredRun[] = [];
    const failed: Failed[] = [];
    let rest: Valid[] = [];
    let unavailable: unknown;
    for (const [index, item] of queue.entries()) {
      try {
        runs.push(...(await this.o.writer.write([item.entry], Date.now())));
        stored.push(item);
      } catch (error) {
        if (isStoreUnavailable(error)) {
          rest = queue.slice(index);
          unavailable = error;
          break;
        }
        this.o.counters.writeFailures += 1;
        failed.push({ message: item.message, error });
      }
    }
    if (stored.length > 0) await this.acknowledge(stored, runs);
    return { failed, rest, unavailable };
  }

  private async acknowledge(items: readonly { message: StreamMessage }[], runs: readonly StoredRun[]): Promise<void> {
    await this.o.stream.acknowledge(ids(items), runs);
    this.o.counters.stored += items.length;
  }

  private async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.o.stream.deadLetter(letters);
    this.o.counters.deadLettered += letters.length;
    for (const { message, reason } of letters) this.o.logger.warn({ source_id: message.id, type: message.fields ? fieldText(message.fields, 'type') : undefined, reason }, 'dead-lettered');
  }
}
