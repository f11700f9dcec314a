import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { HttpError } from '../http-error.js';

/** Registered first: every error becomes a JSON body; unknown ones a plain 500 `internal`, logged. */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const known = error instanceof HttpError ? error : undefined;
      if (!known) logger.error({ err: error, method: ctx.method, path: ctx.path }, 'unhandled error');
      const httpError = known ?? new HttpError(500, 'internal', 'internal server error');
      ctx.status = httpError.status;
      ctx.body = httpError.toJSON();
    }
  };
}
