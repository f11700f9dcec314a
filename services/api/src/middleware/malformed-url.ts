import type { Middleware } from 'koa';
import { HttpError } from '../http-error.js';

const decodes = (text: string) => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * A malformed percent escape (`%`, `%E0%A4%A`, an escape of half a character) in the path or the
 * query gets 400 `invalid_query` naming where it is, instead of being matched, looked up or
 * answered as found-nothing with the raw text.
 */
export function refuseMalformedUrl(): Middleware {
  return async (ctx, next) => {
    if (!decodes(ctx.path)) throw new HttpError(400, 'invalid_query', 'the path has a malformed percent escape (% must start %XX of UTF-8)');
    if (!decodes(ctx.querystring)) throw new HttpError(400, 'invalid_query', 'the query has a malformed percent escape (% must start %XX of UTF-8)');
    await next();
  };
}
