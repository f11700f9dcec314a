/** Volatile parts of a failure message, in the order they are masked; the exception type and wording stay. */
const masks: readonly (readonly [RegExp, string])[] = [
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g, '<ts>'],
  [/\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<ts>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b0x[0-9a-f]+\b/gi, '<addr>'],
  [/(?:\/private)?\/(?:tmp|var\/tmp|var\/folders|dev\/shm)\/[^\s'"`,;:)\]}>]*/g, '<tmp>'],
  [/\b[A-Za-z]:\\[^\s'"`]*?\\(?:Temp|tmp)\\[^\s'"`,;:)\]}>]*/gi, '<tmp>'],
  [/'(?:[^'\\\n]|\\.)*'/g, '<str>'],
  [/"(?:[^"\\\n]|\\.)*"/g, '<str>'],
  [/`[^`\n]*`/g, '<str>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/(?<![A-Za-z0-9_<])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi, '<n>'],
];

const MAX_NORMALIZED = 1_000;

/**
 * A failure message with what changes between occurrences of the same problem masked: timestamps,
 * UUIDs, memory addresses, temp paths, quoted values, hex ids and numbers. The exception type and the
 * rest of the wording are kept, so two failures normalize alike only when they are the same problem.
 */
export function normalizeFailureMessage(message: string): string {
  let text = message.slice(0, 4 * MAX_NORMALIZED);
  for (const [pattern, replacement] of masks) text = text.replace(pattern, replacement);
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_NORMALIZED);
}

/** What a failure is grouped by: its message, or the last line of its traceback when it has none. */
export function failureText(message: string | null, longrepr: string | null = null): string {
  if (message && message.trim()) return message;
  const lines = (longrepr ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? '';
}

/** cyrb53: a fast 53-bit string hash, enough to tell failure signatures apart. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** The group key of a failure: a hash of its normalized message (see {@link normalizeFailureMessage}). */
export function failureSignature(message: string | null, longrepr: string | null = null): string {
  return hash53(normalizeFailureMessage(failureText(message, longrepr)));
}
