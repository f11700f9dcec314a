import type { StreamMessage } from './stream-message.js';

/** Dead letters keep at most this much of the original `data`. */
const DEAD_LETTER_DATA_BYTES = 1_048_576;

const MARKER = '\n… [truncated]';

/** `data` as it was read, cut to `max` bytes (at a character boundary, with a marker) when longer. */
function truncateBytes(value: Buffer | string, max: number): Buffer | string {
  if ((typeof value === 'string' ? Buffer.byteLength(value) : value.length) <= max) return value;
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const head = bytes.subarray(0, max - Buffer.byteLength(MARKER)).toString('utf8');
  return head.replace(/\uFFFD$/, '') + MARKER;
}

/** The fields of a `<stream>:dead` entry: why, what, and where it came from. */
export function deadLetterFields(message: StreamMessage, reason: string, consumer: string, at = new Date()): (Buffer | string)[] {
  return [
    'reason', reason,
    'type', message.fields?.type ?? '',
    'data', truncateBytes(message.fields?.data ?? '', DEAD_LETTER_DATA_BYTES),
    'source_id', message.id,
    'consumer', consumer,
    'at', at.toISOString(),
  ];
}
