import { describe, expect, it } from 'vitest';
import { createRedisClient, redactUrl } from '@pytest-platform/redis';

describe('redis client factory', () => {
  it('connects to the URL it is given', async () => {
    const redis = createRedisClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('never shows a password', () => {
    expect(redactUrl('redis://user:s3cret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactUrl('rediss://:s3cret@host')).not.toContain('s3cret');
    expect(redactUrl('not a url //u:p@h')).not.toContain('u:p');
  });
});
