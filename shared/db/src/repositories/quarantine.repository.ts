import type { PublishedQuarantine, QuarantineActor, QuarantineChange, QuarantineEntry } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import type { QuarantineHistoryRow } from '../tables/quarantine-history.table.js';
import type { QuarantineRow } from '../tables/quarantine.table.js';
import { lockCursor, moveCursor } from './fold.repository.js';
import { iso } from './run-mapper.js';

/**
 * The cursor of the history rows ingest has announced. Every writer of the history takes its row
 * first, so history ids commit in order (on Postgres too) and the announcer never skips one.
 */
const OUTBOX = 'quarantine-events';

/** Takes the history's lock in the caller's transaction: do it before touching `quarantine` rows (one lock order). */
export const lockQuarantineHistory = (trx: Db) => lockCursor(trx, OUTBOX, 'zero');

export interface QuarantineInput {
  project: string;
  nodeid: string;
  reason: string;
  by: QuarantineActor;
  /** Unix ms; null: until released. */
  expires_at: number | null;
  /** Unix ms of the change. */
  now: number;
}

export interface ReleaseInput {
  project: string;
  nodeid: string;
  by: QuarantineActor;
  reason: string;
  now: number;
}

/** A change made: the history row written, and the entry as it now is (quarantined) or was (released). */
export interface QuarantineChanged {
  change: QuarantineChange;
  entry: QuarantineEntry;
}

const toEntry = (row: Pick<QuarantineRow, 'nodeid' | 'reason' | 'since' | 'expires_at' | 'by'>): QuarantineEntry => ({
  nodeid: row.nodeid, reason: row.reason, since: iso(row.since), expires_at: row.expires_at === null ? null : iso(row.expires_at), by: row.by,
});

const toChange = (row: Omit<QuarantineHistoryRow, 'id'>): QuarantineChange => ({
  project: row.project, nodeid: row.nodeid, action: row.action, by: row.by, reason: row.reason, at: iso(row.at),
  expires_at: row.expires_at === null ? null : iso(row.expires_at),
});

/**
 * Quarantines a test, recording it in the history, in one transaction that starts with its write.
 * `replace`: an existing entry takes the new reason, expiry and author (what the API does); otherwise
 * an existing entry stays as it is and nothing is recorded (`undefined`: what the automatic policy
 * does, so concurrent replicas record a test once).
 */
export async function quarantineTest(db: Db, input: QuarantineInput, options: { replace: boolean }): Promise<QuarantineChanged | undefined> {
  return db.transaction().execute(async (trx) => {
    await lockQuarantineHistory(trx);
    const row = { project: input.project, nodeid: input.nodeid, reason: input.reason, since: input.now, expires_at: input.expires_at, by: input.by, passes: 0 };
    const written = await trx
      .insertInto('quarantine')
      .values(row)
      .onConflict((oc) =>
        options.replace
          ? oc.columns(['project', 'nodeid']).doUpdateSet({ reason: input.reason, since: input.now, expires_at: input.expires_at, by: input.by, passes: 0 })
          : oc.doNothing())
      .returning('nodeid')
      .executeTakeFirst();
    if (!written) return undefined;
    const history = { project: input.project, nodeid: input.nodeid, action: 'quarantined' as const, by: input.by, reason: input.reason, at: input.now, expires_at: input.expires_at };
    await trx.insertInto('quarantine_history').values(history).execute();
    return { change: toChange(history), entry: toEntry(row) };
  });
}

/** Releases a quarantined test, recording it in the history; `undefined` when it was not quarantined. */
export async function releaseTest(db: Db, input: ReleaseInput): Promise<QuarantineChanged | undefined> {
  return db.transaction().execute((trx) => recordRelease(trx, input));
}

/** {@link releaseTest} inside the caller's transaction. */
export async function recordRelease(trx: Db, input: ReleaseInput): Promise<QuarantineChanged | undefined> {
  await lockQuarantineHistory(trx);
  const released = await trx
    .deleteFrom('quarantine')
    .where('project', '=', input.project)
    .where('nodeid', '=', input.nodeid)
    .returningAll()
    .executeTakeFirst();
  if (!released) return undefined;
  const history = { project: input.project, nodeid: input.nodeid, action: 'released' as const, by: input.by, reason: input.reason, at: input.now, expires_at: null };
  await trx.insertInto('quarantine_history').values(history).execute();
  return { change: toChange(history), entry: toEntry(released) };
}

/** Releases (by `auto`) every entry whose expiry is at or before `now`; returns the changes recorded. */
export async function releaseExpired(db: Db, now: number): Promise<QuarantineChange[]> {
  const expired = await db.selectFrom('quarantine').select(['project', 'nodeid', 'expires_at']).where('expires_at', '<=', now).execute();
  const changes: QuarantineChange[] = [];
  for (const e of expired) {
    const released = await releaseTest(db, { project: e.project, nodeid: e.nodeid, by: 'auto', reason: `expired at ${iso(e.expires_at!)}`, now });
    if (released) changes.push(released.change);
  }
  return changes;
}

/** A project's current entries, in node id order; entries expired at `now` are left out (ingest releases them). */
export async function listQuarantine(db: Db, project: string, now: number, nodeid?: string): Promise<QuarantineEntry[]> {
  let query = db
    .selectFrom('quarantine')
    .select(['nodeid', 'reason', 'since', 'expires_at', 'by'])
    .where('project', '=', project)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  if (nodeid !== undefined) query = query.where('nodeid', '=', nodeid);
  return (await query.orderBy('nodeid').execute()).map(toEntry);
}

/** A project's (or one test's) quarantines and releases, newest first. */
export async function listQuarantineHistory(db: Db, params: { project: string; nodeid?: string | undefined; limit: number }): Promise<QuarantineChange[]> {
  let query = db.selectFrom('quarantine_history').selectAll().where('project', '=', params.project);
  if (params.nodeid !== undefined) query = query.where('nodeid', '=', params.nodeid);
  return (await query.orderBy('id', 'desc').limit(params.limit).execute()).map(toChange);
}

/** What is published for the reporters at `{stream}:quarantine:{project}`. */
export async function publishedQuarantine(db: Db, project: string, now: number): Promise<PublishedQuarantine> {
  return { project, updated_at: iso(now), tests: await listQuarantine(db, project, now) };
}

/** Projects with at least one current entry. */
export async function quarantinedProjects(db: Db): Promise<string[]> {
  return (await db.selectFrom('quarantine').select('project').distinct().orderBy('project').execute()).map((r) => r.project);
}

/**
 * Hands the history rows not yet announced (oldest first, at most `limit`) to `announce`, and marks
 * them announced once it resolved; when it throws, they stay for the next call. Returns them.
 */
export async function announceQuarantineChanges(db: Db, limit: number, announce: (changes: QuarantineChange[]) => Promise<void>): Promise<QuarantineChange[]> {
  return db.transaction().execute(async (trx) => {
    const position = await lockQuarantineHistory(trx);
    const rows = await trx.selectFrom('quarantine_history').selectAll().where('id', '>', position).orderBy('id').limit(limit).execute();
    if (rows.length === 0) return [];
    const changes = rows.map(toChange);
    await announce(changes);
    await moveCursor(trx, OUTBOX, rows.at(-1)!.id);
    return changes;
  });
}
