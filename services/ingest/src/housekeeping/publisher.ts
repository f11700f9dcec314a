import type { Redis } from 'ioredis';
import {
  publishedDurations, publishedQuarantine, type Db,
} from '@pytest-platform/db';
import { quarantineEventFields, redisKeyFor, streamNames, type QuarantineChange } from '@pytest-platform/schema';

/** Announcements kept on `<stream>:events` (approximate, `MAXLEN ~`), as for `run.stored`. */
const EVENTS_MAXLEN = 10_000;

/**
 * What ingest publishes for the reporters and the alert watcher: each project's quarantine list and
 * recorded durations (plain JSON strings at `redisKeys`, read with GET), and quarantine changes on
 * `<stream>:events`.
 */
export class Publisher {
  constructor(
    private readonly redis: Redis,
    private readonly db: Db,
    private readonly stream: string,
  ) {}

  /** Writes the current (unexpired) quarantine list of each project. */
  async quarantine(projects: Iterable<string>, now: number): Promise<void> {
    for (const project of projects) {
      const value = await publishedQuarantine(this.db, project, now);
      await this.redis.set(redisKeyFor('quarantine', this.stream, project), JSON.stringify(value));
    }
  }

  /** Writes the recorded durations of each project. */
  async durations(projects: Iterable<string>, now: number): Promise<void> {
    for (const project of projects) {
      const value = await publishedDurations(this.db, project, now);
      await this.redis.set(redisKeyFor('durations', this.stream, project), JSON.stringify(value));
    }
  }

  /** Puts quarantine changes on `<stream>:events` as `quarantine.changed` events, in order, atomically. */
  async announce(changes: readonly QuarantineChange[]): Promise<void> {
    if (changes.length === 0) return;
    const multi = this.redis.multi();
    const events = streamNames(this.stream).events;
    for (const change of changes) multi.xadd(events, 'MAXLEN', '~', EVENTS_MAXLEN, '*', ...quarantineEventFields(change));
    const replies = await multi.exec();
    if (!replies) throw new Error('Redis transaction was discarded');
    for (const [error] of replies) if (error) throw error;
  }
}
