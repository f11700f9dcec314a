/** The BullMQ queue that carries digest and alert jobs (under the `QUEUE_PREFIX` prefix). */
export const MAIL_QUEUE = 'mail';
/** The stable id of the digest job scheduler: every instance upserts the same one. */
export const DIGEST_SCHEDULER_ID = 'digest';
/** The consumer group that reads `<stream>:events` for alerts. */
export const ALERTS_GROUP = 'alerts';

const part = (value: string) => encodeURIComponent(value);

/** Redis keys of the mail state, all under `prefix`. */
export const mailKeys = (prefix: string) => ({
  /** Set once a message of `jobId` reached `to`. */
  sent: (jobId: string, project: string, to: string) => `${prefix}:sent:${part(jobId)}:${part(project)}:${part(to)}`,
  /** Held by the instance that is checking or changing the digest scheduler. */
  schedulerLock: `${prefix}:digest:scheduler-lock`,
  /** When the last digest of `project` went out (ISO time). */
  lastDigest: (project: string) => `${prefix}:digest:last:${part(project)}`,
  /** Hash of the node ids alerted on and not passed since (value: the run that alerted). */
  alerted: (project: string, branch: string) => `${prefix}:alerts:state:${part(project)}:${part(branch)}`,
  /** The alert decision taken for a run (JSON array of node ids), so a redelivered event decides the same. */
  decision: (runId: string) => `${prefix}:alerts:run:${part(runId)}`,
  /** List of the quarantine changes of `project` (JSON, oldest first) that no alert named yet. */
  quarantineChanges: (project: string) => `${prefix}:alerts:quarantine:${part(project)}`,
});

/** BullMQ job ids may not contain `:`. */
export const alertJobId = (runId: string) => `alert-${part(runId)}`;
