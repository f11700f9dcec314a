import { randomUUID } from 'node:crypto';
import { createRedisClient } from '@pytest-platform/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/env.js';
import { createLogger } from '../src/logger.js';
import { createMailer, sendOnce, type Mailer } from '../src/mail/mailer.js';
import { REDIS_URL } from '../../../test-support/services.js';
import { startSmtp, type TestSmtp } from './smtp.js';

const email = { subject: 'once', text: 'only once', html: '<p>only once</p>', mjml: '' };

let redis: Redis;
let smtp: TestSmtp;
let mailer: Mailer;
const keys: string[] = [];
const newKey = () => {
  const key = `send-once-test:${randomUUID()}`;
  keys.push(key);
  return key;
};

beforeAll(async () => {
  redis = createRedisClient(REDIS_URL);
  smtp = await startSmtp();
  mailer = createMailer(loadConfig({ API_URL: 'http://127.0.0.1:1', REDIS_URL, SMTP_URL: smtp.url, MAIL_FROM: 'tests@example.com' }).mail, createLogger('silent'));
});
afterAll(async () => {
  if (keys.length > 0) await redis?.del(...keys);
  mailer?.close();
  await smtp?.stop();
  await redis?.quit();
});

describe('sendOnce', () => {
  test('two workers running the same job at once reach each recipient once', async () => {
    const key = newKey();
    const send = () => mailer.send('lead@example.com', email, { 'X-Pytest-Platform-Job': key });
    const results = await Promise.all([sendOnce(redis, key, send), sendOnce(redis, key, send), sendOnce(redis, key, send)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.headers.get('x-pytest-platform-job') === key)).toHaveLength(1);
    expect(Date.parse((await redis.get(key)) ?? '')).toBeGreaterThan(0);
    expect(await sendOnce(redis, key, send)).toBe(false);
  });

  test('a send that fails gives the recipient back: the waiting worker or the retry sends it', async () => {
    const key = newKey();
    smtp.rejectRecipients.add('team@example.com');
    const send = () => mailer.send('team@example.com', email, { 'X-Pytest-Platform-Job': key });
    // The first attempt is refused by the SMTP server, which accepts again once it has answered.
    const failing = sendOnce(redis, key, async () => {
      try {
        await send();
      } finally {
        smtp.rejectRecipients.clear();
      }
    });
    // A second worker that comes while the first holds the key waits for it, then sends.
    const waiting = (async () => {
      while ((await redis.get(key)) === null) await new Promise((resolve) => setTimeout(resolve, 5));
      return sendOnce(redis, key, send);
    })();
    await expect(failing).rejects.toThrow();
    expect(await waiting).toBe(true);
    expect(smtp.messages.filter((m) => m.headers.get('x-pytest-platform-job') === key)).toHaveLength(1);
    expect(await sendOnce(redis, key, send)).toBe(false);
  });
});
