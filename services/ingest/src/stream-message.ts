/**
 * One entry read from the results stream; `fields` is null when it was deleted while pending. Values
 * stay as Redis gave them (Buffers, read with `callBuffer`) until {@link fieldText} decodes one: an
 * entry's `data` becomes text only just before it is parsed, so a batch never holds all its
 * entries as strings at once and each decoded string dies young.
 */
export interface StreamMessage {
  id: string;
  fields: Record<string, Buffer | string> | null;
}

/** A reply item as text: ioredis gives Buffers for `callBuffer`, strings otherwise. */
export const replyText = (value: Buffer | string): string => (typeof value === 'string' ? value : value.toString('utf8'));

/** One field of an entry as text; `undefined` when the entry has no such field. Decodes each time it is called. */
export const fieldText = (fields: Readonly<Record<string, Buffer | string>>, name: string): string | undefined => {
  const value = fields[name];
  return value === undefined ? undefined : replyText(value);
};

/**
 * Reads `[id, [field, value, …] | null]` as Redis returns it, as Buffers (read with `callBuffer`)
 * or strings; field names are decoded, values kept as they are; the first occurrence of a field wins.
 */
export function toStreamMessage(raw: unknown): StreamMessage {
  const [rawId, flat] = raw as [Buffer | string, (Buffer | string)[] | null];
  const id = replyText(rawId);
  if (!flat) return { id, fields: null };
  const fields = Object.create(null) as Record<string, Buffer | string>;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = replyText(flat[i]!);
    if (!(key in fields)) fields[key] = flat[i + 1]!;
  }
  return { id, fields };
}
