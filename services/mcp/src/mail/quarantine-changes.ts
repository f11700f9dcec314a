import type { QuarantineChange } from '@pytest-platform/schema';
import type { Redis } from 'ioredis';
import { mailKeys } from './mail-keys.js';

/** Changes kept per project until an alert names them; older ones are dropped. */
const KEPT = 50;

/** The changes of a project not yet named in an alert, and how many list entries they came from. */
export interface PendingChanges {
  changes: QuarantineChange[];
  /** Entries read, duplicates included: what {@link QuarantineChanges.drop} removes. */
  read: number;
}

/**
 * The quarantine changes (`quarantine.changed` on `<stream>:events`) of each project since its last
 * alert: a Redis list per project, appended as events arrive, read and emptied when an alert of the
 * project is queued. An event delivered twice is named once (entries carry the event id).
 */
export class QuarantineChanges {
  readonly #redis: Redis;
  readonly #keys: ReturnType<typeof mailKeys>;

  constructor(redis: Redis, queuePrefix: string) {
    this.#redis = redis;
    this.#keys = mailKeys(queuePrefix);
  }

  async record(eventId: string, change: QuarantineChange): Promise<void> {
    const key = this.#keys.quarantineChanges(change.project);
    await this.#redis.multi().rpush(key, JSON.stringify({ id: eventId, ...change })).ltrim(key, -KEPT, -1).exec();
  }

  async pending(project: string): Promise<PendingChanges> {
    const entries = await this.#redis.lrange(this.#keys.quarantineChanges(project), 0, -1);
    const seen = new Set<string>();
    const changes: QuarantineChange[] = [];
    for (const entry of entries) {
      const { id, ...change } = JSON.parse(entry) as QuarantineChange & { id: string };
      if (seen.has(id)) continue;
      seen.add(id);
      changes.push(change);
    }
    return { changes, read: entries.length };
  }

  /** Removes the `read` oldest entries: those an alert just named. */
  async drop(project: string, read: number): Promise<void> {
    if (read > 0) await this.#redis.ltrim(this.#keys.quarantineChanges(project), read, -1);
  }
}
