import type { Store } from '@pytest-platform/db';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ApiConfig } from './env.js';

/** What the app is built on; `main.ts` opens them, tests build their own. */
export interface ApiDeps {
  store: Store;
  redis: Redis;
  logger: Logger;
}

/** What every route module receives. */
export interface RouteContext {
  config: ApiConfig;
  deps: ApiDeps;
}
