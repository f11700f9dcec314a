import type { Values } from '@pytest-platform/config';

/** The variables the e-mail digest and alerts read (each parsed by its rule in `@pytest-platform/config`). */
export const mailVariables = [
  'REDIS_URL', 'RESULTS_STREAM', 'QUEUE_PREFIX', 'SMTP_URL', 'MAIL_FROM', 'DIGEST_TO', 'ALERT_TO', 'DIGEST_CRON', 'DIGEST_TZ',
  'DIGEST_PROJECTS', 'DIGEST_ENABLED', 'ALERTS_ENABLED', 'ALERT_BRANCHES', 'MAIL_ATTEMPTS', 'MAIL_BACKOFF_MS',
] as const;

type MailEnv = Values<(typeof mailVariables)[number]>;

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
    attempts: e.MAIL_ATTEMPTS,
    backoffMs: e.MAIL_BACKOFF_MS,
  };
}
