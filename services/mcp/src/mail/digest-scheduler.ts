import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Queue, JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { DIGEST_SCHEDULER_ID } from './mail-keys.js';
import { withLease } from './redis-lease.js';

export interface DigestSchedule {
  enabled: boolean;
  pattern: string;
  tz: string;
  opts: JobsOptions;
}

export type SchedulerChange = 'created' | 'updated' | 'unchanged' | 'removed' | 'absent';

/** How long one instance may hold the scheduler lock; the sync takes a few Redis round trips. */
const LOCK_TTL_MS = 30_000;
const LOCK_POLL_MS = 100;
/** BullMQ refuses an upsert whose next tick is a job that already exists ("job ID already exists"). */
const COLLISION = /job ID already exists/i;
const COLLISION_RETRIES = 8;
const COLLISION_WAIT_MS = 250;

/**
 * Makes the shared digest scheduler match `schedule`, one instance at a time (a Redis lock at
 * `lockKey`), and leaves a scheduler that already matches untouched.
 *
 * Why not just `upsertJobScheduler` from every instance: the upsert computes the next tick on the
 * client, and when it lands while a worker has already taken that tick, BullMQ (6.x) replaces the
 * next delayed job and re-adds the tick being processed, so the same tick runs twice; or it fails
 * with "job ID already exists". Upserting only on a real change, under a lock, keeps instances
 * starting together (or restarting) away from the running schedule.
 */
export async function syncDigestScheduler(queue: Queue, redis: Redis, lockKey: string, schedule: DigestSchedule): Promise<SchedulerChange> {
  return withLease(redis, lockKey, { ttlMs: LOCK_TTL_MS, pollMs: LOCK_POLL_MS }, async () => {
    const current = await queue.getJobScheduler(DIGEST_SCHEDULER_ID);
    if (!schedule.enabled) {
      if (current === undefined) return 'absent';
      await queue.removeJobScheduler(DIGEST_SCHEDULER_ID);
      return 'removed';
    }
    const matches =
      current !== undefined &&
      current.name === 'digest' &&
      current.pattern === schedule.pattern &&
      current.tz === schedule.tz &&
      // Compared as stored: JSON, without undefined fields.
      isDeepStrictEqual(current.template?.opts ?? {}, JSON.parse(JSON.stringify(schedule.opts)));
    if (matches) return 'unchanged';
    for (let attempt = 1; ; attempt++) {
      try {
        await queue.upsertJobScheduler(DIGEST_SCHEDULER_ID, { pattern: schedule.pattern, tz: schedule.tz }, { name: 'digest', data: {}, opts: schedule.opts });
        return current === undefined ? 'created' : 'updated';
      } catch (error) {
        if (attempt >= COLLISION_RETRIES || !(error instanceof Error) || !COLLISION.test(error.message)) throw error;
        await sleep(COLLISION_WAIT_MS);
      }
    }
  });
}
