import type { Redis } from 'ioredis';
import { createRedisClient } from '@pytest-platform/redis';

/**
 * How this package makes its Redis clients (through the shared factory): connects on demand, gives up fast, never
 * queues commands while offline and never reconnects in the background, so a dead Redis costs a
 * test run about two seconds and never keeps the process alive.
 */
export async function connectRedis(url: string, options: { connectTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<Redis> {
  const client = createRedisClient(url, {
    name: 'pytest-platform-reporter',
    lazyConnect: true,
    options: {
      connectTimeout: options.connectTimeoutMs ?? 2000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      reconnectOnError: () => false,
    },
  });
  // The error event carries the server's words (WRONGPASS, NOAUTH…); the connect promise only says the connection closed.
  let reported: Error | null = null;
  client.on('error', (error: Error) => void (reported ??= error));
  // Aborted: the connection is dropped, so a pending connect or command fails now instead of waiting on a silent server.
  if (options.signal?.aborted) client.disconnect();
  options.signal?.addEventListener('abort', () => client.disconnect(), { once: true });
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    throw reported ?? error;
  }
}

/** Closes a client politely, or drops it when the server no longer answers. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
  } catch {
    // already closed
  } finally {
    client.disconnect();
  }
}
