import type { Redis } from 'ioredis';
import { createTransport } from 'nodemailer';
import type { Logger } from '../logger.js';
import type { MailConfig } from '../mail-config.js';
import type { RenderedEmail } from '../render/email-digest.js';

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

/**
 * Sends unless `key` records an earlier successful send, then records it: a retried job skips the
 * recipients it already reached.
 */
export async function sendOnce(redis: Redis, key: string, send: () => Promise<void>): Promise<boolean> {
  if ((await redis.exists(key)) === 1) return false;
  await send();
  await redis.set(key, new Date().toISOString(), 'EX', SENT_TTL_SECONDS);
  return true;
}
