import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpError } from '../http-error.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** When a token is configured, every path but `openPaths` requires `Authorization: Bearer <token>`. */
export function bearerAuth(token: string | undefined, openPaths: readonly string[]): Middleware {
  if (token === undefined) return (_ctx, next) => next();
  // Comparing digests keeps the buffers equal in length, so timingSafeEqual never leaks the token's length.
  const expected = digest(token);
  return async (ctx, next) => {
    if (!openPaths.includes(ctx.path)) {
      const match = /^Bearer\s+(.+)$/i.exec(ctx.get('Authorization'));
      const given = match?.[1]?.trim();
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token (Authorization: Bearer <API_TOKEN>)');
      }
    }
    await next();
  };
}
