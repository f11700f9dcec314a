import { apiRoutes } from '@pytest-platform/schema';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../src/app.js';
import { docsAssetPaths } from '../src/routes/docs.js';
import { routerPath } from '../src/serve-route.js';
import { startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

describe('the router and the route contract', () => {
  it('serves every route of the contract, and nothing else but the assets of the docs page', () => {
    const router = createRouter(ctx.config, { store: ctx.store, redis: ctx.redis, logger: pino({ level: 'silent' }) });
    const served = router.stack.flatMap((layer) => layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${layer.path}`));
    const declared = [
      ...apiRoutes.map((route) => `${route.method.toUpperCase()} ${routerPath(route.path)}`),
      ...Object.values(docsAssetPaths).map((path) => `GET ${path}`),
    ];
    expect(served.filter((route) => !declared.includes(route)), 'served without a contract entry').toEqual([]);
    expect(declared.filter((route) => !served.includes(route)), 'declared but not served').toEqual([]);
    expect(served).toHaveLength(declared.length);
  });
});
