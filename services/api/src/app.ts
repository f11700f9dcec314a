import Router from '@koa/router';
import Koa from 'koa';
import type { ApiDeps } from './deps.js';
import type { ApiConfig } from './env.js';
import { HttpError } from './http-error.js';
import { bearerAuth } from './middleware/auth.js';
import { errorHandler } from './middleware/error-handler.js';
import { refuseMalformedUrl } from './middleware/malformed-url.js';
import { requestLogger } from './middleware/request-logger.js';
import { registerBuildsRoutes } from './routes/builds.js';
import { registerCompareRoutes } from './routes/compare.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerFailuresRoutes } from './routes/failures.js';
import { registerFlakyRoutes } from './routes/flaky.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerProjectsRoutes } from './routes/projects.js';
import { registerQuarantineRoutes } from './routes/quarantine.js';
import { registerResultsRoutes } from './routes/results.js';
import { registerRunTestsRoutes } from './routes/run-tests.js';
import { registerTestsRoutes } from './routes/tests.js';
import { registerTrendRoutes } from './routes/trend.js';
import { registerWorkersRoutes } from './routes/workers.js';

export type { ApiDeps } from './deps.js';

/** Every route of the API on one router. */
export function createRouter(config: ApiConfig, deps: ApiDeps): Router {
  const router = new Router();
  const context = { config, deps };
  registerResultsRoutes(router, context);
  registerRunTestsRoutes(router, context);
  registerBuildsRoutes(router, context);
  registerTrendRoutes(router, context);
  registerWorkersRoutes(router, context);
  registerFailuresRoutes(router, context);
  registerTestsRoutes(router, context);
  registerFlakyRoutes(router, context);
  registerCompareRoutes(router, context);
  registerQuarantineRoutes(router, context);
  registerProjectsRoutes(router, context);
  registerHealthRoutes(router, context);
  registerDocsRoutes(router, context);
  return router;
}

/** Builds the Koa app; `main.ts` listens with it, tests build one per config. */
export function createApp(config: ApiConfig, deps: ApiDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.on('error', (error: unknown) => deps.logger.error({ err: error }, 'response error'));
  const router = createRouter(config, deps);

  app.use(errorHandler(deps.logger));
  app.use(requestLogger(deps.logger));
  app.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });
  app.use(bearerAuth({ token: config.apiToken, readToken: config.apiReadToken }, ['/health', '/livez']));
  app.use(refuseMalformedUrl());
  app.use(async (ctx, next) => {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 405 || ctx.status === 501) {
      throw new HttpError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow') || 'none'}`);
    }
    if (ctx.status === 404) throw new HttpError(404, 'not_found', `no route ${ctx.method} ${ctx.path}`);
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
