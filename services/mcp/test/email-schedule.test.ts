import { randomUUID } from 'node:crypto';
import { createRedisClient } from '@pytest-platform/redis';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/env.js';
import { DIGEST_SCHEDULER_ID, MAIL_QUEUE } from '../src/mail/mail-keys.js';
import { mailJobOptions } from '../src/mail/mail-service.js';
import { makeRun } from '../../../test-support/runs.js';
import { freePort, REDIS_URL, type RunningService } from '../../../test-support/services.js';
import { startMcpHttp } from './http-server.js';
import { waitFor } from '../../../test-support/wait-for.js';
import { startSmtp } from './smtp.js';
import { startStack, type Stack } from './stack.js';

let stack: Stack;
let redis: Redis;
const prefixes: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  stack = await startStack({ runs: { demo: [makeRun(), makeRun({ started_at: new Date(Date.now() - 3_600_000).toISOString() })] } });
  redis = createRedisClient(REDIS_URL);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  for (const prefix of prefixes) {
    const leftovers = await redis.keys(`${prefix}*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
  }
  await redis?.quit();
  await stack?.stop();
});

function newPrefix(): string {
  const prefix = `mail-test:${randomUUID()}`;
  prefixes.push(prefix);
  return prefix;
}

function queueAt(prefix: string): Queue {
  const queue = new Queue(MAIL_QUEUE, { connection: createRedisClient(REDIS_URL, { blocking: true }), prefix });
  cleanups.push(() => queue.close());
  return queue;
}

async function startMcp(env: Record<string, string>): Promise<RunningService> {
  const { service } = await startMcpHttp({ API_URL: stack.apiUrl, REDIS_URL, RESULTS_STREAM: stack.apiEnv.RESULTS_STREAM ?? '', ...env });
  cleanups.push(() => service.stop());
  return service;
}

describe('the digest job', () => {
  test('two instances started together register one scheduler, and each tick sends one digest', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.stop());
    const prefix = newPrefix();
    const env = { QUEUE_PREFIX: prefix, SMTP_URL: smtp.url, DIGEST_TO: 'team@example.com', DIGEST_PROJECTS: 'demo', DIGEST_CRON: '* * * * * *', DIGEST_TZ: 'Europe/Berlin', ALERTS_ENABLED: 'false' };
    const [a, b] = await Promise.all([startMcp(env), startMcp(env)]);
    await waitFor('both instances', () => a.output().includes('"msg":"mail ready"') && b.output().includes('"msg":"mail ready"'));
    const queue = queueAt(prefix);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: DIGEST_SCHEDULER_ID, pattern: '* * * * * *', tz: 'Europe/Berlin' });

    await waitFor('four ticks', () => new Set(smtp.messages.map((m) => m.headers.get('x-pytest-platform-job'))).size >= 4, 15_000);
    await Promise.all([a.stop(), b.stop()]);
    const jobs = smtp.messages.map((m) => m.headers.get('x-pytest-platform-job') ?? '');
    expect(new Set(jobs).size).toBe(jobs.length);
    const ticks = jobs.map((id) => Number(/^repeat:digest:(\d+)$/.exec(id)?.[1]));
    expect(ticks.every((t) => Number.isInteger(t) && t % 1000 === 0)).toBe(true);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(smtp.messages.every((m) => m.subject.startsWith('[pytest-platform] demo:') && m.to[0] === 'team@example.com')).toBe(true);
    // Every message is one a job reports as sent; a tick processed twice would report a skip.
    const sent = [a, b].flatMap((s) => [...s.output().matchAll(/"sent":(\d+),"skipped":(\d+),"msg":"mail job done"/g)]);
    expect(sent.reduce((n, m) => n + Number(m[1]), 0)).toBe(jobs.length);
    expect(sent.every((m) => m[2] === '0')).toBe(true);
    // One instance registered the scheduler; the other found it as configured and left it alone.
    const changes = [a, b].map((s) => /"scheduler":"(\w+)"/.exec(s.output())?.[1]).sort();
    expect(changes).toEqual(['created', 'unchanged']);
  });

  test('an instance started with the same schedule leaves the pending tick alone; a changed one replaces it; disabled removes it', async () => {
    const prefix = newPrefix();
    const env = { QUEUE_PREFIX: prefix, SMTP_URL: 'smtp://127.0.0.1:1', DIGEST_TO: 'team@example.com', DIGEST_CRON: '0 8 * * *', DIGEST_TZ: 'Europe/Berlin', ALERTS_ENABLED: 'false' };
    const pending = async (queue: Queue) => (await queue.getDelayed()).map((j) => ({ id: j.id, timestamp: j.timestamp, delay: j.delay }));
    const started = async (extra: Record<string, string>) => {
      const mcp = await startMcp({ ...env, ...extra });
      await waitFor('the mail service', () => mcp.output().includes('"msg":"mail ready"'));
      await mcp.stop();
      return /"scheduler":"(\w+)"/.exec(mcp.output())?.[1];
    };
    expect(await started({})).toBe('created');
    const queue = queueAt(prefix);
    const first = await pending(queue);
    expect(first).toHaveLength(1);
    expect(first[0]!.id).toMatch(/^repeat:digest:\d+$/);

    expect(await started({})).toBe('unchanged');
    expect(await pending(queue)).toEqual(first);

    expect(await started({ DIGEST_CRON: '30 9 * * 1-5' })).toBe('updated');
    expect(await queue.getJobScheduler(DIGEST_SCHEDULER_ID)).toMatchObject({ pattern: '30 9 * * 1-5', tz: 'Europe/Berlin' });
    expect(await pending(queue)).toHaveLength(1);
    expect(await started({ DIGEST_CRON: '30 9 * * 1-5', MAIL_ATTEMPTS: '3' })).toBe('updated');
    expect((await queue.getJobScheduler(DIGEST_SCHEDULER_ID))?.template?.opts).toMatchObject({ attempts: 3 });

    // (An instance with digest and alerts both off starts no mail service at all.)
    expect(await started({ DIGEST_ENABLED: 'false', ALERTS_ENABLED: 'true' })).toBe('removed');
    expect(await queue.getJobSchedulers()).toEqual([]);
    expect(await pending(queue)).toEqual([]);
  });

  test('with the SMTP server down the job retries with backoff; once it is back the mail arrives, never twice', async () => {
    const prefix = newPrefix();
    const port = await freePort();
    const env = { QUEUE_PREFIX: prefix, SMTP_URL: `smtp://127.0.0.1:${port}`, DIGEST_TO: 'lead@example.com,team@example.com', DIGEST_PROJECTS: 'demo', MAIL_BACKOFF_MS: '300', MAIL_ATTEMPTS: '10', ALERTS_ENABLED: 'true', DIGEST_ENABLED: 'false' };
    const mcp = await startMcp(env);
    await waitFor('the mail worker', () => mcp.output().includes('"msg":"mail ready"'));
    const queue = queueAt(prefix);
    expect(await queue.getJobSchedulers()).toHaveLength(0);
    const options = mailJobOptions(loadConfig(env).mail);
    expect(options).toMatchObject({ attempts: 10, backoff: { type: 'exponential', delay: 300 }, removeOnFail: false });
    const job = await queue.add('digest', { projects: ['demo'] }, { ...options, jobId: `digest-${randomUUID()}` });

    await waitFor('two failed attempts', async () => ((await queue.getJob(job.id!))?.attemptsMade ?? 0) >= 2);
    const failing = (await queue.getJob(job.id!))!;
    expect(failing.failedReason).toMatch(/ECONNREFUSED|connect/i);
    expect(['delayed', 'waiting', 'active']).toContain(await failing.getState());

    const smtp = await startSmtp(port);
    cleanups.push(() => smtp.stop());
    smtp.rejectRecipients.add('team@example.com');
    await waitFor('the first recipient', () => smtp.messages.length >= 1, 15_000);
    const attemptsWhenFirstArrived = (await queue.getJob(job.id!))!.attemptsMade;
    await waitFor('the attempt rejected for the second recipient', async () => ((await queue.getJob(job.id!))?.attemptsMade ?? 0) > attemptsWhenFirstArrived, 15_000);
    smtp.rejectRecipients.clear();
    await waitFor('the job to complete', async () => (await queue.getJob(job.id!))?.finishedOn !== undefined, 20_000);
    const done = (await queue.getJob(job.id!))!;
    expect(await done.getState()).toBe('completed');
    expect(done.attemptsMade).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual(['lead@example.com', 'team@example.com']);
    expect(smtp.messages.every((m) => m.parts.join() === 'text/plain,text/html')).toBe(true);
  });

  test('with SMTP_URL unset the service starts and serves as before, without touching Redis', async () => {
    const mcp = await startMcp({ REDIS_URL: 'redis://127.0.0.1:1' });
    const url = /"url":"(http:\/\/[^"]+)\/mcp"/.exec(mcp.output())?.[1];
    expect(url).toBeDefined();
    const report = await fetch(`${url}/reports/demo.html`);
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('demo');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mcp.output()).not.toContain('mail ready');
    expect(mcp.output()).not.toMatch(/ECONNREFUSED|redis/i);
    expect(await mcp.stop()).toBe(0);
  });
});
