import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../test-support/services.js';
import { pingRedis, startRedisServer } from '../scripts/lib/local-redis.js';

describe('the redis-server npm start launches when none answers', () => {
  it('starts with AOF under the data dir, answers, and stops', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pp-redis-'));
    try {
      expect(await pingRedis('127.0.0.1', port, 300)).toBe(false);
      const server = await startRedisServer({ port, dataDir: join(dir, 'redis') });
      expect(server.url).toBe(`redis://127.0.0.1:${port}`);
      expect(await pingRedis('127.0.0.1', port)).toBe(true);
      expect(existsSync(join(dir, 'redis', 'appendonlydir'))).toBe(true);
      await server.stop();
      expect(await pingRedis('127.0.0.1', port, 300)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
