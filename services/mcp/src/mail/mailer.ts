import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { createTransport } from 'nodemailer';
import type { Logger } from '../logger.js';
import type { MailConfig } from './mail-config.js';
import type { RenderedEmail } from './email-digest.js';
import { releaseLease, tryLease } from './redis-lease.js';

/** Sends one rendered e-mail to one recipient. */
export interface Mailer {
  /** True when `SMTP_URL` is unset: messages are logged, not sent. */
  readonly logOnly: boolean;
  send(to: string, email: RenderedEmail, headers?: Record<string, string>): Promise<void>;
  close(): void;
}

/** nodemailer over `SMTP_URL` (TLS and auth from the URL), or a log-only transport when it is unset. */
export function createMailer(config: MailConfig, logger: Logger): Mailer {
  const { smtpUrl } = config;
  if (!smtpUrl) {
    const transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    return {
      logOnly: true,
      async send(to, email, headers) {
        const info = await transport.sendMail({ from: config.from, to, subject: email.subject, text: email.text, html: email.html, headers });
        const size = Buffer.isBuffer(info.message) ? info.message.length : 0;
        logger.info({ to, subject: email.subject, bytes: size }, 'mail not sent (SMTP_URL is unset); logged only');
      },
      close: () => transport.close(),
    };
  }
  const transport = createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 });
  return {
    logOnly: false,
    async send(to, email, headers) {
      await transport.sendMail({ from: config.from, to, subject: email.subject, text: email.text, html: email.html, headers });
      logger.info({ to, subject: email.subject }, 'mail sent');
    },
    close: () => transport.close(),
  };
}

/** How long a sent marker is kept; a job retried later than this could send again. */
const SENT_TTL_SECONDS = 30 * 86_400;

/** How long a send in progress holds its key: longer than the SMTP timeouts above (10 + 10 + 60 s). */
const SENDING_LEASE_MS = 120_000;
const SENDING = 'sending:';
const POLL_MS = 200;

/**
 * Sends unless `key` records an earlier successful send, then records it: a retried job skips the
 * recipients it already reached, and two workers running the same job at once (a redelivered job)
 * send once: the first claims the key atomically, the other waits for its outcome.
 */
export async function sendOnce(redis: Redis, key: string, send: () => Promise<void>): Promise<boolean> {
  for (;;) {
    const claim = await tryLease(redis, key, SENDING_LEASE_MS, `${SENDING}${randomUUID()}`);
    if (claim !== null) {
      try {
        await send();
      } catch (error) {
        await releaseLease(redis, key, claim);
        throw error;
      }
      await redis.set(key, new Date().toISOString(), 'EX', SENT_TTL_SECONDS);
      return true;
    }
    const value = await redis.get(key);
    if (value !== null && !value.startsWith(SENDING)) return false;
    // Another worker is sending to this recipient (or just gave up): wait for its outcome.
    await sleep(POLL_MS);
  }
}
