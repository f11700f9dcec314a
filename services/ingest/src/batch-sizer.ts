import type { StreamMessage } from './stream-message.js';

/** Entry size assumed before any was read (a run of ~600 tests). */
const FIRST_ENTRY_BYTES = 64 * 1024;

/**
 * How many entries to ask Redis for: at most `maxEntries`, fewer when entries are large, so that one
 * batch holds about `maxBytes` of entry data. Follows the average entry size of recent reads.
 */
export class BatchSizer {
  private entryBytes = FIRST_ENTRY_BYTES;

  constructor(private readonly maxEntries: number, private readonly maxBytes: number) {}

  count(): number {
    return Math.max(1, Math.min(this.maxEntries, Math.floor(this.maxBytes / this.entryBytes)));
  }

  /** Takes the sizes of entries just read into the average (half old, half new). */
  measure(messages: readonly StreamMessage[]): void {
    if (messages.length === 0) return;
    let bytes = 0;
    for (const m of messages) bytes += (m.fields?.data?.length ?? 0) + 64;
    this.entryBytes = Math.max(64, 0.5 * this.entryBytes + 0.5 * (bytes / messages.length));
  }
}
