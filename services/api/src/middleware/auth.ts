import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { HttpError } from '../http-error.js';

const digest = (value: string) => createHash('sha256').update(value).digest();
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Tokens {
  /** Full access (`API_TOKEN`). */
  token: string | undefined;
  /** GET routes only (`API_READ_TOKEN`). */
  readToken?: string | undefined;
}

/**
 * When a token is configured, every path but `openPaths` requires `Authorization: Bearer <token>`:
 * the full token for every method, the read token for GET and HEAD only (403 otherwise).
 */
export function bearerAuth({ token, readToken }: Tokens, openPaths: readonly string[]): Middleware {
  if (token === undefined && readToken === undefined) return (_ctx, next) => next();
  // Comparing digests keeps the buffers equal in length, so timingSafeEqual never leaks a token's length.
  const full = token === undefined ? undefined : digest(token);
  const read = readToken === undefined ? undefined : digest(readToken);
  return async (ctx, next) => {
    if (!openPaths.includes(ctx.path)) {
      const match = /^Bearer\s+(.+)$/i.exec(ctx.get('Authorization'));
      const given = match?.[1]?.trim();
      const givenDigest = given === undefined ? undefined : digest(given);
      // Both comparisons always run, so the timing does not tell which token matched.
      const isFull = givenDigest !== undefined && full !== undefined && timingSafeEqual(givenDigest, full);
      const isRead = givenDigest !== undefined && read !== undefined && timingSafeEqual(givenDigest, read);
      if (!isFull && !isRead) {
        ctx.set('WWW-Authenticate', 'Bearer');
        throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token (Authorization: Bearer <API_TOKEN>)');
      }
      if (!isFull && !READ_METHODS.has(ctx.method)) {
        throw new HttpError(403, 'forbidden', `the read-only token (API_READ_TOKEN) cannot ${ctx.method} ${ctx.path}; use API_TOKEN`);
      }
    }
    await next();
  };
}
