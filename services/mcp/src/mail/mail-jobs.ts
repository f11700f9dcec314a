import type { Redis } from 'ioredis';
import type { ApiClient } from '../api-client.js';
import { digestDays, loadDigestData } from './digest-data.js';
import type { Logger } from '../logger.js';
import type { MailConfig } from './mail-config.js';
import { renderAlertEmail, type AlertData } from './email-alert.js';
import { renderDigestEmail } from './email-digest.js';
import { mailKeys } from './mail-keys.js';
import { sendOnce, type Mailer } from './mailer.js';

export interface MailJobDeps {
  config: MailConfig;
  api: ApiClient;
  redis: Redis;
  mailer: Mailer;
  logger: Logger;
  /** `PUBLIC_URL`: the digest links to the pages; unset: no links. */
  publicUrl: string | undefined;
}

export interface DigestJobData {
  /** Overrides `DIGEST_PROJECTS`. */
  projects?: string[] | undefined;
}

export interface MailJobResult {
  sent: number;
  skipped: number;
}

const previewRecipient = 'preview@localhost';

function recipients(list: readonly string[], mailer: Mailer): readonly string[] {
  return list.length > 0 ? list : mailer.logOnly ? [previewRecipient] : [];
}

/**
 * Renders and sends each project's digest to every recipient, one message each. A recipient a
 * previous attempt of the same job reached is skipped.
 */
export async function runDigest(deps: MailJobDeps, jobId: string, data: DigestJobData = {}): Promise<MailJobResult> {
  const { config, api, redis, mailer, logger, publicUrl } = deps;
  const keys = mailKeys(config.queuePrefix);
  const projects = data.projects?.length ? data.projects : config.digestProjects.length > 0 ? config.digestProjects : await api.projects();
  const to = recipients(config.digestTo, mailer);
  if (to.length === 0) logger.warn('DIGEST_TO is empty: no digest recipients');
  const result = { sent: 0, skipped: 0 };
  for (const project of projects) {
    const now = Date.now();
    const last = await redis.get(keys.lastDigest(project));
    const digest = await loadDigestData(api, { project, days: digestDays(last ? Date.parse(last) : null, now), now, publicUrl });
    const email = await renderDigestEmail(digest);
    for (const recipient of to) {
      const sent = await sendOnce(redis, keys.sent(jobId, project, recipient), () =>
        mailer.send(recipient, email, { 'X-Pytest-Platform-Job': jobId, 'X-Pytest-Platform-Project': project }),
      );
      if (sent) result.sent += 1;
      else result.skipped += 1;
    }
    await redis.set(keys.lastDigest(project), digest.until);
  }
  return result;
}

/** Sends one new-failure alert to every alert recipient, once each. */
export async function runAlert(deps: MailJobDeps, jobId: string, data: AlertData): Promise<MailJobResult> {
  const { config, redis, mailer } = deps;
  const keys = mailKeys(config.queuePrefix);
  const email = await renderAlertEmail(data);
  const result = { sent: 0, skipped: 0 };
  for (const recipient of recipients(config.alertTo, mailer)) {
    const sent = await sendOnce(redis, keys.sent(jobId, data.project, recipient), () =>
      mailer.send(recipient, email, { 'X-Pytest-Platform-Job': jobId, 'X-Pytest-Platform-Project': data.project }),
    );
    if (sent) result.sent += 1;
    else result.skipped += 1;
  }
  return result;
}
