import { Redis, type RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  /**
   * A connection that issues blocking commands (XREADGROUP BLOCK, BullMQ workers): it never fails
   * a command for being retried too often. @defaultValue false
   */
  blocking?: boolean;
  /** Name shown by CLIENT LIST. */
  name?: string;
  /** Connect lazily on the first command. @defaultValue false */
  lazyConnect?: boolean;
  /** Extra ioredis options. */
  options?: RedisOptions;
}

/**
 * The one place ioredis clients are made. `redis://` and `rediss://` (TLS) URLs with user and
 * password (ACL) work as ioredis parses them.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  return new Redis(url, {
    connectionName: options.name,
    lazyConnect: options.lazyConnect ?? false,
    maxRetriesPerRequest: options.blocking ? null : 3,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...options.options,
  });
}

/** A URL safe to log: the password (and user) replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
