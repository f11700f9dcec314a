import { outcomes, type Outcome } from '@pytest-platform/schema';

/** What a digest keeps of one result: the columns the window reads need, no text. */
export interface DigestResult {
  outcome: Outcome;
  attempts: number;
  duration: number;
}

/**
 * test id u32, outcome u8 (index in `outcomes`), attempts u16 (1–1,000 by the contract; readers only ask
 * whether it is above 1), duration f64; little-endian.
 */
const RECORD = 15;
/** Below a digest's size ÷ this many wanted tests, {@link RunDigest.forEachOf} searches for each instead of walking the digest. */
const SEARCH_FACTOR = 16;
const OUTCOME_CODE = new Map<string, number>(outcomes.map((o, i) => [o, i]));

/** A run's results as a digest value, records in test-id order. */
export function encodeRunDigest(results: ReadonlyMap<number, DigestResult>): Buffer {
  const ids = [...results.keys()].sort((a, b) => a - b);
  const out = Buffer.allocUnsafe(ids.length * RECORD);
  let at = 0;
  for (const id of ids) {
    const r = results.get(id)!;
    out.writeUInt32LE(id, at);
    out.writeUInt8(OUTCOME_CODE.get(r.outcome)!, at + 4);
    out.writeUInt16LE(Math.min(Math.max(r.attempts, 0), 0xffff), at + 5);
    out.writeDoubleLE(r.duration, at + 7);
    at += RECORD;
  }
  return out;
}

/** A stored digest read in place: record `i` (in test-id order) field by field, nothing allocated per record. */
export class RunDigest {
  private readonly view: DataView;
  /** Records (results) in the digest. */
  readonly size: number;

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = Math.floor(bytes.byteLength / RECORD);
  }

  testId(i: number): number {
    return this.view.getUint32(i * RECORD, true);
  }

  outcome(i: number): Outcome {
    return outcomes[this.view.getUint8(i * RECORD + 4)]!;
  }

  attempts(i: number): number {
    return this.view.getUint16(i * RECORD + 5, true);
  }

  duration(i: number): number {
    return this.view.getFloat64(i * RECORD + 7, true);
  }

  /**
   * Calls `visit` with the record of each of `testIds` (ascending, distinct) that the run has, in
   * test-id order: a binary search each when they are few, else one walk of both lists side by side.
   */
  forEachOf(testIds: readonly number[], visit: (i: number) => void): void {
    const n = testIds.length;
    if (n * SEARCH_FACTOR < this.size) {
      for (const testId of testIds) {
        const i = this.find(testId);
        if (i >= 0) visit(i);
      }
      return;
    }
    let j = 0;
    for (let i = 0; i < this.size; i++) {
      const testId = this.testId(i);
      while (j < n && testIds[j]! < testId) j++;
      if (j === n) return;
      if (testIds[j] === testId) visit(i);
    }
  }

  /** The record of `testId` (records are in test-id order, one per test), or -1 when the run has no result of it. */
  find(testId: number): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.testId(mid);
      if (at === testId) return mid;
      if (at < testId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  result(i: number): DigestResult {
    return { outcome: this.outcome(i), attempts: this.attempts(i), duration: this.duration(i) };
  }
}

/**
 * The results one write transaction stored, per run (a later result of a test replaces an earlier
 * one, as in `results`), merged into each run's stored digest at the end of the transaction.
 */
export class RunDigestDeltas {
  private readonly runs = new Map<number, Map<number, DigestResult>>();

  /**
   * Keeps the three columns of `result` until the digests are written, not `result` itself: a
   * result's text (node id, message, traceback) is free once its row is written.
   */
  add(runPk: number, testId: number, result: DigestResult): void {
    let tests = this.runs.get(runPk);
    if (tests === undefined) {
      tests = new Map();
      this.runs.set(runPk, tests);
    }
    tests.set(testId, { outcome: result.outcome, attempts: result.attempts, duration: result.duration });
  }

  addAll(runPk: number, testIds: readonly number[], results: readonly DigestResult[]): void {
    for (const [i, testId] of testIds.entries()) this.add(runPk, testId, results[i]!);
  }

  /** The runs changed, in id order (a stable lock order). */
  runIds(): number[] {
    return [...this.runs.keys()].sort((a, b) => a - b);
  }

  /** The run's new digest: the stored one (`undefined` when there is none) with this transaction's results over it. */
  merged(runPk: number, stored: Uint8Array | undefined): Buffer {
    const added = this.runs.get(runPk) ?? new Map<number, DigestResult>();
    if (stored === undefined) return encodeRunDigest(added);
    const tests = new Map<number, DigestResult>();
    const digest = new RunDigest(stored);
    for (let i = 0; i < digest.size; i++) tests.set(digest.testId(i), digest.result(i));
    for (const [testId, r] of added) tests.set(testId, r);
    return encodeRunDigest(tests);
  }

  clear(): void {
    this.runs.clear();
  }
}
