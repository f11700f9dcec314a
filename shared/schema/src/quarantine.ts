import { z } from 'zod';

/**
 * Quarantine and recorded durations: the bodies of `/quarantine`, the `quarantine.changed` event
 * on `<stream>:events`, and the two values published for the reporters (`redisKeys` in
 * `contract.json`, read with a plain GET).
 */

/** Who changed a quarantine: a caller of the API with the full token, or ingest's automatic policy (and expiry). */
export const quarantineActors = ['api', 'auto'] as const;
export type QuarantineActor = (typeof quarantineActors)[number];

const quarantineActions = ['quarantined', 'released'] as const;
export type QuarantineAction = (typeof quarantineActions)[number];

/** Characters in a quarantine `reason`. */
export const QUARANTINE_REASON_LENGTH = 2_000;

/** One test quarantined in a project now: who, when, why, until when. */
export const QuarantineEntrySchema = z.object({
  nodeid: z.string(),
  reason: z.string(),
  /** When it was quarantined (the latest quarantine, if it was changed since). */
  since: z.string(),
  /** When it leaves quarantine by itself; null: only when released. */
  expires_at: z.string().nullable(),
  by: z.enum(quarantineActors),
});
export type QuarantineEntry = z.infer<typeof QuarantineEntrySchema>;

/** One change of a test's quarantine, as kept in its history and announced on the events stream. */
export const QuarantineChangeSchema = z.object({
  project: z.string(),
  nodeid: z.string(),
  action: z.enum(quarantineActions),
  by: z.enum(quarantineActors),
  reason: z.string(),
  /** When the change was made. */
  at: z.string(),
  /** For `quarantined`: when it expires (null: never); for `released`: null. */
  expires_at: z.string().nullable(),
});
export type QuarantineChange = z.infer<typeof QuarantineChangeSchema>;

/** `GET /quarantine`: the project's current entries, and its history when asked for. */
export const QuarantineListSchema = z.object({
  project: z.string(),
  items: z.array(QuarantineEntrySchema),
  /** Every quarantine and release, newest first (`history=true`); absent otherwise. */
  history: z.array(QuarantineChangeSchema).optional(),
});
export type QuarantineList = z.infer<typeof QuarantineListSchema>;

/** What `PUT /quarantine` and `DELETE /quarantine` answer: the entry as it now is, or as it was when released. */
export const QuarantineChangedSchema = z.object({
  project: z.string(),
  change: QuarantineChangeSchema,
  entry: QuarantineEntrySchema,
  /** The project's list was written to Redis for the reporters; false when Redis did not answer (ingest writes it on its next pass). */
  published: z.boolean(),
});
export type QuarantineChanged = z.infer<typeof QuarantineChangedSchema>;

/** The value at `{stream}:quarantine:{project}`: the current, unexpired entries. */
export const PublishedQuarantineSchema = z.object({
  project: z.string(),
  updated_at: z.string(),
  tests: z.array(QuarantineEntrySchema),
});
export type PublishedQuarantine = z.infer<typeof PublishedQuarantineSchema>;

/** The value at `{stream}:durations:{project}`: recent durations in seconds of passing tests and of test files. */
export const PublishedDurationsSchema = z.object({
  project: z.string(),
  updated_at: z.string(),
  tests: z.record(z.string(), z.number()),
  files: z.record(z.string(), z.number()),
});
export type PublishedDurations = z.infer<typeof PublishedDurationsSchema>;

/** The type field of a quarantine change on `<stream>:events`. */
export const QUARANTINE_EVENT = 'quarantine.changed';

/** A change as the flat field list of an XADD on `<stream>:events` (`expires_at` empty when null). */
export function quarantineEventFields(change: QuarantineChange): string[] {
  return [
    'type', QUARANTINE_EVENT, 'project', change.project, 'nodeid', change.nodeid, 'action', change.action, 'by', change.by,
    'reason', change.reason, 'at', change.at, 'expires_at', change.expires_at ?? '',
  ];
}

/** The change an event's fields carry, or `null` when they are not a valid `quarantine.changed` event. */
export function parseQuarantineEvent(fields: ReadonlyMap<string, string>): QuarantineChange | null {
  if (fields.get('type') !== QUARANTINE_EVENT) return null;
  const expires = fields.get('expires_at');
  const parsed = QuarantineChangeSchema.safeParse({
    project: fields.get('project'), nodeid: fields.get('nodeid'), action: fields.get('action'), by: fields.get('by'),
    reason: fields.get('reason'), at: fields.get('at'), expires_at: expires ? expires : null,
  });
  return parsed.success ? parsed.data : null;
}
