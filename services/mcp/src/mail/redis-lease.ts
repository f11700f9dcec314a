import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/** Deletes the key only while it still holds our token: a lease that expired and was taken by another is left alone. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** Takes `key` for `ttlMs` if nobody holds it; returns the token to release it with, or null. */
export async function tryLease(redis: Redis, key: string, ttlMs: number, token = randomUUID()): Promise<string | null> {
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
}

/** Releases a lease taken with `token`; a no-op when it expired and someone else holds it now. */
export async function releaseLease(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, token);
}

/**
 * Runs `work` while holding `key`, waiting (polling every `pollMs`) for another holder to release
 * it or for its lease to expire. `ttlMs` bounds how long a crashed holder blocks the others.
 */
export async function withLease<T>(redis: Redis, key: string, options: { ttlMs: number; pollMs: number }, work: () => Promise<T>): Promise<T> {
  let token = await tryLease(redis, key, options.ttlMs);
  while (token === null) {
    await sleep(options.pollMs);
    token = await tryLease(redis, key, options.ttlMs);
  }
  try {
    return await work();
  } finally {
    await releaseLease(redis, key, token);
  }
}
