/** One entry read from the results stream; `fields` is null when it was deleted while pending. */
export interface StreamMessage {
  id: string;
  fields: Record<string, string> | null;
}

/** A reply item as text: ioredis gives Buffers for `callBuffer`, strings otherwise. */
export const replyText = (value: Buffer | string): string => (typeof value === 'string' ? value : value.toString('utf8'));

/**
 * Reads `[id, [field, value, …] | null]` as Redis returns it, as Buffers (read with `callBuffer`:
 * each value decoded once, straight from the reply) or strings; the first occurrence of a field wins.
 */
export function toStreamMessage(raw: unknown): StreamMessage {
  const [rawId, flat] = raw as [Buffer | string, (Buffer | string)[] | null];
  const id = replyText(rawId);
  if (!flat) return { id, fields: null };
  const fields = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = replyText(flat[i]!);
    if (!(key in fields)) fields[key] = replyText(flat[i + 1]!);
  }
  return { id, fields };
}
