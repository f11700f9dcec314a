import { DEFAULT_RESULTS_STREAM } from '@pytest-platform/schema';
import { z } from 'zod';

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema);

const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(item));

const emails = list(z.email({ message: 'a comma-separated list of e-mail addresses' }));

const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

const CRON_FIELD = /^[\d*/,\-?LW#A-Za-z]+$/;
const cron = z.string().refine((value) => {
  const fields = value.trim().split(/\s+/);
  return (fields.length === 5 || fields.length === 6) && fields.every((field) => CRON_FIELD.test(field));
}, { message: 'a cron pattern of 5 fields (or 6 with seconds first), e.g. "0 8 * * 1-5"' });

const timeZone = z.string().refine((value) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}, { message: 'an IANA time zone such as Europe/Berlin or UTC' });

/** The mail-related variables; spread into the MCP service's environment schema. */
export const MailEnvShape = {
  REDIS_URL: optional(z.url({ protocol: /^rediss?$/, message: 'a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379')),
  RESULTS_STREAM: optional(z.string().min(1).default(DEFAULT_RESULTS_STREAM)),
  QUEUE_PREFIX: optional(z.string().min(1).max(200).optional()),
  SMTP_URL: optional(z.url({ protocol: /^smtps?$/, message: 'an smtp:// or smtps:// URL, e.g. smtps://user:pass@mail.example.com:465' }).optional()),
  MAIL_FROM: optional(z.string().min(3).default('pytest-platform <pytest-platform@localhost>')),
  DIGEST_TO: optional(emails.default([])),
  ALERT_TO: optional(emails.optional()),
  DIGEST_CRON: optional(cron.default('0 8 * * 1-5')),
  DIGEST_TZ: optional(timeZone.default('UTC')),
  DIGEST_PROJECTS: optional(list(z.string().max(255)).default([])),
  DIGEST_ENABLED: optional(flag.optional()),
  ALERTS_ENABLED: optional(flag.optional()),
  ALERT_BRANCHES: optional(list(z.string().max(255)).default(['main'])),
  PUBLIC_URL: optional(z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL' }).optional()),
  MAIL_ATTEMPTS: optional(z.coerce.number().int().min(1).max(100).default(8)),
  MAIL_BACKOFF_MS: optional(z.coerce.number().int().min(10).max(3_600_000).default(30_000)),
};

type MailEnv = z.output<z.ZodObject<typeof MailEnvShape>>;

/** E-mail settings of the MCP service. */
export interface MailConfig {
  /** @defaultValue `redis://127.0.0.1:6379` (`REDIS_URL`) */
  redisUrl: string;
  /** Alerts read `<stream>:events`. @defaultValue `pytest-platform:results` (`RESULTS_STREAM`) */
  resultsStream: string;
  /** Prefix of the BullMQ queue and of the alert and send state. @defaultValue `<RESULTS_STREAM>:mail` (`QUEUE_PREFIX`) */
  queuePrefix: string;
  /** Unset: messages are logged, not sent (`SMTP_URL`). */
  smtpUrl: string | undefined;
  /** @defaultValue `pytest-platform <pytest-platform@localhost>` (`MAIL_FROM`) */
  from: string;
  /** Digest recipients (`DIGEST_TO`, comma-separated). */
  digestTo: string[];
  /** Alert recipients. @defaultValue `DIGEST_TO` (`ALERT_TO`, comma-separated) */
  alertTo: string[];
  /** @defaultValue `0 8 * * 1-5` (`DIGEST_CRON`) */
  digestCron: string;
  /** @defaultValue `UTC` (`DIGEST_TZ`) */
  digestTz: string;
  /** Projects in the digest; empty: every project (`DIGEST_PROJECTS`, comma-separated). */
  digestProjects: string[];
  /** @defaultValue true when `SMTP_URL` and `DIGEST_TO` are set (`DIGEST_ENABLED`) */
  digestEnabled: boolean;
  /** @defaultValue true when `SMTP_URL` and alert recipients are set (`ALERTS_ENABLED`) */
  alertsEnabled: boolean;
  /** @defaultValue `main` (`ALERT_BRANCHES`, comma-separated) */
  alertBranches: string[];
  /** Base URL of this service as readers reach it, for report links (`PUBLIC_URL`). */
  publicUrl: string | undefined;
  /** Tries per mail job. @defaultValue 8 (`MAIL_ATTEMPTS`) */
  attempts: number;
  /** First retry delay, doubling each time. @defaultValue 30000 (`MAIL_BACKOFF_MS`) */
  backoffMs: number;
}

export function mailSettings(e: MailEnv): MailConfig {
  const alertTo = e.ALERT_TO ?? e.DIGEST_TO;
  return {
    redisUrl: e.REDIS_URL,
    resultsStream: e.RESULTS_STREAM,
    queuePrefix: e.QUEUE_PREFIX ?? `${e.RESULTS_STREAM}:mail`,
    smtpUrl: e.SMTP_URL,
    from: e.MAIL_FROM,
    digestTo: e.DIGEST_TO,
    alertTo,
    digestCron: e.DIGEST_CRON,
    digestTz: e.DIGEST_TZ,
    digestProjects: e.DIGEST_PROJECTS,
    digestEnabled: e.DIGEST_ENABLED ?? (Boolean(e.SMTP_URL) && e.DIGEST_TO.length > 0),
    alertsEnabled: e.ALERTS_ENABLED ?? (Boolean(e.SMTP_URL) && alertTo.length > 0),
    alertBranches: e.ALERT_BRANCHES,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    attempts: e.MAIL_ATTEMPTS,
    backoffMs: e.MAIL_BACKOFF_MS,
  };
}
