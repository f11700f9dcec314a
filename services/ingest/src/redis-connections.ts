import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedisClient } from '@pytest-platform/redis';
import { sleep } from './backoff.js';

/**
 * Ingest's two Redis connections: `redis` for every command, `blocking` for XREADGROUP BLOCK only,
 * so that closing can break a read in progress (CLIENT UNBLOCK by the blocking connection's id).
 */
export class RedisConnections {
  readonly redis: Redis;
  readonly blocking: Redis;
  private blockingId: number | undefined;

  constructor(redisUrl: string, consumer: string, logger: Logger) {
    this.redis = createRedisClient(redisUrl, { name: `ingest:${consumer}` });
    this.blocking = createRedisClient(redisUrl, { blocking: true, name: `ingest:${consumer}:read` });
    for (const client of [this.redis, this.blocking]) {
      client.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
    }
    // A reconnected blocking connection has a new id.
    this.blocking.on('ready', () => void this.identify().catch(() => {}));
  }

  /** Learns the blocking connection's client id. */
  async identify(): Promise<void> {
    this.blockingId = Number(await this.blocking.call('CLIENT', 'ID'));
  }

  /** Breaks a blocking read in progress; drops the blocking connection when Redis cannot. */
  async unblock(): Promise<void> {
    if (this.blockingId === undefined) return;
    await this.redis.call('CLIENT', 'UNBLOCK', String(this.blockingId)).catch(() => this.blocking.disconnect());
  }

  /** Resolves when both connections are ready and Redis answers a PING within `timeoutMs`; rejects with the reason. */
  async checkReady(timeoutMs: number): Promise<void> {
    for (const client of [this.redis, this.blocking]) {
      if (client.status !== 'ready') throw new Error(`a Redis connection is ${client.status}`);
    }
    const timeout = new AbortController();
    try {
      const answered = await Promise.race([this.redis.ping().then(() => true), sleep(timeoutMs, timeout.signal).then(() => false)]);
      if (!answered) throw new Error(`Redis did not answer PING within ${timeoutMs} ms`);
    } finally {
      timeout.abort();
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
    this.blocking.disconnect();
  }
}
