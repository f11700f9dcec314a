import { createRedisClient } from '@pytest-platform/redis';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { ApiClient } from '../api-client.js';
import type { Logger } from '../logger.js';
import type { MailConfig } from './mail-config.js';
import type { AlertData } from './email-alert.js';
import { AlertWatcher } from './alert-watcher.js';
import { runAlert, runDigest, type DigestJobData, type MailJobResult } from './mail-jobs.js';
import { syncDigestScheduler } from './digest-scheduler.js';
import { MAIL_QUEUE, mailKeys } from './mail-keys.js';
import { createMailer } from './mailer.js';

export interface MailService {
  /** Resolves once the scheduler is registered and the worker and alert reader run. */
  ready: Promise<void>;
  /** Idempotent: stops reading events, lets the running job finish, closes connections. */
  close(): Promise<void>;
}

/** Retries with exponential backoff; failed jobs are kept for inspection. */
export const mailJobOptions = (config: MailConfig): JobsOptions => ({
  attempts: config.attempts,
  backoff: { type: 'exponential', delay: config.backoffMs },
  removeOnComplete: { count: 1_000 },
  removeOnFail: false,
});

/**
 * Starts the digest scheduler, the mail worker and the alert reader as `config` enables them. Several
 * instances share one scheduler (a stable id, changed only when the configuration changes), one
 * queue and one consumer group.
 */
export function startMailService(config: MailConfig, deps: { api: ApiClient; logger: Logger; publicUrl?: string | undefined }): MailService {
  const logger = deps.logger.child({ component: 'mail' });
  const redis = createRedisClient(config.redisUrl, { name: 'mcp-mail' });
  const queueConnection = createRedisClient(config.redisUrl, { name: 'mcp-mail-queue', blocking: true });
  const workerConnection = createRedisClient(config.redisUrl, { name: 'mcp-mail-worker', blocking: true });
  const eventsConnection = createRedisClient(config.redisUrl, { name: 'mcp-mail-events', blocking: true });
  for (const client of [redis, queueConnection, workerConnection, eventsConnection]) {
    client.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
  }
  const mailer = createMailer(config, logger);
  const jobDeps = { config, api: deps.api, redis, mailer, logger, publicUrl: deps.publicUrl };
  const queue = new Queue(MAIL_QUEUE, { connection: queueConnection, prefix: config.queuePrefix, defaultJobOptions: mailJobOptions(config) });
  queue.on('error', (error) => logger.warn({ err: error }, 'mail queue error'));

  const worker = new Worker(
    MAIL_QUEUE,
    async (job: Job): Promise<MailJobResult> => {
      const id = job.id ?? job.name;
      const result = job.name === 'alert' ? await runAlert(jobDeps, id, job.data as AlertData) : await runDigest(jobDeps, id, job.data as DigestJobData);
      logger.info({ job: id, name: job.name, attempt: job.attemptsMade + 1, ...result }, 'mail job done');
      return result;
    },
    { connection: workerConnection, prefix: config.queuePrefix, concurrency: 1, autorun: false },
  );
  worker.on('failed', (job, error) => {
    logger.warn({ err: error, job: job?.id, name: job?.name, attempts: job?.attemptsMade, of: config.attempts }, 'mail job failed');
  });
  worker.on('error', (error) => logger.warn({ err: error }, 'mail worker error'));

  const watcher = config.alertsEnabled ? new AlertWatcher({ config, api: deps.api, redis, blocking: eventsConnection, queue, logger, publicUrl: deps.publicUrl }) : null;

  const ready = (async () => {
    const scheduler = await syncDigestScheduler(queue, redis, mailKeys(config.queuePrefix).schedulerLock, {
      enabled: config.digestEnabled,
      pattern: config.digestCron,
      tz: config.digestTz,
      opts: mailJobOptions(config),
    });
    void worker.run().catch((error: unknown) => logger.error({ err: error }, 'mail worker stopped'));
    await watcher?.start();
    logger.info(
      { digest: config.digestEnabled ? `${config.digestCron} (${config.digestTz})` : 'off', scheduler, alerts: config.alertsEnabled ? config.alertBranches : 'off', smtp: config.smtpUrl ? 'on' : 'log only', prefix: config.queuePrefix },
      'mail ready',
    );
  })();

  let closing: Promise<void> | null = null;
  return {
    ready,
    close() {
      closing ??= (async () => {
        await ready.catch(() => {});
        await watcher?.close();
        await worker.close();
        await queue.close();
        mailer.close();
        await Promise.allSettled([redis.quit(), queueConnection.quit(), workerConnection.quit()]);
        eventsConnection.disconnect();
      })();
      return closing;
    },
  };
}
