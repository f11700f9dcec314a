import { z } from 'zod';

/** A query string as a URL parser hands it over: repeated keys as arrays (Koa's `ctx.query`). */
export type RawQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

type Kind = 'number' | 'array' | 'text';

interface Reader {
  kinds: ReadonlyMap<string, Kind>;
  strict: z.ZodObject;
}

const readers = new WeakMap<z.ZodObject, Reader>();

/** How each parameter of `query` sits in a query string, from the schema's own JSON Schema types. */
function readerOf(query: z.ZodObject): Reader {
  let reader = readers.get(query);
  if (reader === undefined) {
    const { properties = {} } = z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { type?: unknown }> };
    const kindOf = ({ type }: { type?: unknown }): Kind => (type === 'integer' || type === 'number' ? 'number' : type === 'array' ? 'array' : 'text');
    reader = { kinds: new Map(Object.entries(properties).map(([key, property]) => [key, kindOf(property)])), strict: query.strict() };
    readers.set(query, reader);
  }
  return reader;
}

/** Worded as zod's own `.strict()` answer, which a key like `__proto__` would slip past on a plain object. */
const unrecognized = <T>(key: string, input: Record<string, unknown>): z.ZodSafeParseResult<T> => ({
  success: false,
  error: new z.ZodError([{ code: 'unrecognized_keys', keys: [key], path: [], message: `Unrecognized key: ${JSON.stringify(key)}`, input }]) as z.ZodError<T>,
});

const refused = <T>(key: string, message: string, input: unknown): z.ZodSafeParseResult<T> => ({
  success: false,
  error: new z.ZodError([{ code: 'custom', path: [key], message, input }]) as z.ZodError<T>,
});

/**
 * Reads a query string into the typed values `query` describes, then validates them: digits become
 * numbers for integer parameters, an array parameter may repeat (`nodeid=a&nodeid=b`), any other
 * parameter given twice is an error, and unknown parameters are refused.
 */
export function parseQueryString<Q extends z.ZodObject>(query: Q, raw: RawQuery): z.ZodSafeParseResult<z.output<Q>> {
  const { kinds, strict } = readerOf(query);
  // No prototype: `__proto__`, `constructor` and `toString` are keys like any other, known or refused.
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const kind = kinds.get(key);
    if (kind === undefined) return unrecognized(key, raw as Record<string, unknown>);
    if (kind === 'array') values[key] = typeof value === 'string' ? [value] : value;
    else if (typeof value !== 'string') return refused(key, 'given more than once', value);
    else values[key] = kind === 'number' && /^\d+$/.test(value) ? Number(value) : value;
  }
  return strict.safeParse(values) as z.ZodSafeParseResult<z.output<Q>>;
}

/** The query string of typed values, as {@link parseQueryString} reads it back: arrays as repeated keys, absent values left out. */
export function formatQueryString(values: Readonly<Record<string, unknown>>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else if (value !== undefined && value !== null) search.set(key, String(value));
  }
  return search;
}
