/** One entry read from the results stream; `fields` is null when it was deleted while pending. */
export interface StreamMessage {
  id: string;
  fields: Record<string, string> | null;
}

/** Reads `[id, [field, value, …] | null]` as Redis returns it; the first occurrence of a field wins. */
export function toStreamMessage(raw: unknown): StreamMessage {
  const [id, flat] = raw as [string, string[] | null];
  if (!flat) return { id, fields: null };
  const fields = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = flat[i] as string;
    if (!(key in fields)) fields[key] = flat[i + 1] as string;
  }
  return { id, fields };
}
