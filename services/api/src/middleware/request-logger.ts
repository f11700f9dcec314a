import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/** One log line per request, written when the response is done. Headers (and so the token) are never logged. */
export function requestLogger(logger: Logger): Middleware {
  return async (ctx, next) => {
    const start = performance.now();
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      const fields = {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Math.round((performance.now() - start) * 10) / 10,
        ...(ctx.res.writableFinished ? {} : { aborted: true }),
      };
      if (ctx.status >= 500) logger.warn(fields, 'request');
      else logger.info(fields, 'request');
    };
    ctx.res.once('finish', log);
    ctx.res.once('close', log);
    await next();
  };
}
