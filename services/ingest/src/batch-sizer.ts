import type { StreamMessage } from './stream-message.js';

/**
 * Entry size assumed before any was read: large (a run of ~10,000 tests), so that the first read,
 * whose entries may be of any size, takes few of them; the first measurement then replaces it.
 */
const FIRST_ENTRY_BYTES = 1024 * 1024;

/**
 * How many entries to ask Redis for: at most `maxEntries`, fewer when entries are large, so that one
 * batch holds about `maxBytes` of entry data. Follows the average entry size of recent reads.
 */
export class BatchSizer {
  private entryBytes = FIRST_ENTRY_BYTES;
  private measured = false;

  constructor(private readonly maxEntries: number, private readonly maxBytes: number) {}

  count(): number {
    return Math.max(1, Math.min(this.maxEntries, Math.floor(this.maxBytes / this.entryBytes)));
  }

  /** Takes the sizes of entries just read into the average (half old, half new; the first read replaces the guess). */
  measure(messages: readonly StreamMessage[]): void {
    if (messages.length === 0) return;
    let bytes = 0;
    for (const m of messages) bytes += (m.fields?.data?.length ?? 0) + 64;
    const average = bytes / messages.length;
    this.entryBytes = Math.max(64, this.measured ? 0.5 * this.entryBytes + 0.5 * average : average);
    this.measured = true;
  }
}
