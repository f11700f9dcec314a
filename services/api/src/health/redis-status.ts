import type { Health } from '@pytest-platform/schema';
import type { Redis } from 'ioredis';
import { errorMessage, withTimeout } from './with-timeout.js';

/** Whether Redis answers a PING. */
export function redisStatus(redis: Redis): Promise<Health['redis']> {
  return withTimeout(redis.ping(), 'Redis PING').then(
    () => ({ ok: true }),
    (error: unknown) => ({ ok: false, error: errorMessage(error) }),
  );
}
