/**
 * Keys never written to a log line, wherever they appear (any case): request headers and what
 * carries them, the raw bytes of a request Node could not parse, credentials.
 */
const DROPPED_KEYS = new Set([
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'headers', 'rawheaders', 'rawpacket', 'rawtrailers', 'trailers',
  'password', 'passwd', 'token', 'apitoken', 'api_token', 'secret', 'socket', 'connection',
]);

/** How deep nested objects are followed before they are summarized. */
const MAX_DEPTH = 5;

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]*)@/gi;
const HEADER_VALUE = /\b(authorization|proxy-authorization|cookie|set-cookie)(\s*[:=]\s*)[^\r\n,;"]*/gi;
const CREDENTIALS = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const MAY_HOLD_A_SECRET = /@|authorization|cookie|bearer|basic/i;

/** `text` with URL passwords (`redis://user:***@host`), header values and bearer/basic credentials replaced. */
export function redactText(text: string): string {
  if (!MAY_HOLD_A_SECRET.test(text)) return text;
  return text.replace(URL_CREDENTIALS, '$1$2:***@').replace(HEADER_VALUE, '$1$2[redacted]').replace(CREDENTIALS, '$1 [redacted]');
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return '[object]';
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!DROPPED_KEYS.has(key.toLowerCase())) out[key] = redactValue(item, depth + 1);
  }
  return out;
}

/**
 * An error as a log line holds it: type, message, stack, code and its other own fields, then its
 * cause; never headers or raw request bytes (Node's parse errors carry the whole raw request, with
 * its `Authorization` header, as `rawPacket`), URL passwords replaced.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return redactValue(error, depth);
  const out: Record<string, unknown> = { type: error.name, message: redactText(error.message) };
  if (error.stack !== undefined) out.stack = redactText(error.stack);
  if (depth >= MAX_DEPTH) return out;
  for (const [key, item] of Object.entries(error)) {
    if (!(key in out) && !DROPPED_KEYS.has(key.toLowerCase())) out[key] = redactValue(item, depth + 1);
  }
  if (error.cause !== undefined) out.cause = serializeError(error.cause, depth + 1);
  if (error instanceof AggregateError) out.errors = (error.errors as unknown[]).slice(0, 10).map((inner) => serializeError(inner, depth + 1));
  return out;
}

/**
 * pino options every service logs with (`pino({ ...logRedaction, level })`): each line's fields and
 * message pass {@link redactText}, errors {@link serializeError}, and the keys that carry headers,
 * raw requests or credentials are dropped at any depth.
 */
export const logRedaction = {
  serializers: { err: (error: unknown) => serializeError(error), error: (error: unknown) => serializeError(error), msg: redactText },
  formatters: { log: (fields: Record<string, unknown>) => redactValue(fields, 0) as Record<string, unknown> },
};
