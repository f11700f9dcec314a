/** A UTF-16 surrogate without its other half: no Unicode character, and UTF-8 cannot encode it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** A `\uD800`-style escape of a lone surrogate in `JSON.stringify` output (pairs come out unescaped), not preceded by an escaped backslash. */
const ESCAPED_LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g;

/** `true` when `text` is well-formed Unicode: no lone surrogate (`"\ud800"`). */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** `text` with every lone surrogate replaced by U+FFFD; its length in UTF-16 code units is unchanged. */
export function toWellFormedText(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, '\uFFFD') : text;
}

/**
 * `JSON.stringify(value)` with every lone surrogate written as U+FFFD: what producers put on the
 * wire, so a stray half of a surrogate pair in a test's output never makes a run the receiver refuses.
 */
export function wireJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\u') ? json.replace(ESCAPED_LONE_SURROGATE, '$1\\ufffd') : json;
}
