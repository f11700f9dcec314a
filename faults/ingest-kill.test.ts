import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@pytest-platform/db';
import { INGEST_GROUP } from '@pytest-platform/schema';
import { createTempPostgres } from '../test-support/postgres.js';
import { randomStream } from '../test-support/runs.js';
import { REDIS_URL, startService, type RunningService } from '../test-support/services.js';
import {
  countRuns, killWhileHolding, reconcile, recordFigures, startProducer, sumLogged, tempDir, waitFor, expectExact, type Producer } from './support.js';

// Ingest SIGKILLed three times under a sustained load from three producer processes, on Postgres
// (the store for more than one replica). While the killed replica is down, a second replica in the
// same group reclaims its pending entries (XAUTOCLAIM); then it comes back under a new consumer
// name, as a restarted container does. Every produced run must be stored exactly once.
const KILLS = 3;
const stream = randomStream('faults-kill');
const redis = new Redis(REDIS_URL);
const spool = tempDir();
let pg: Awaited<ReturnType<typeof createTempPostgres>>;
let store: Store;
const services: RunningService[] = [];
const producers: Producer[] = [];

beforeAll(async () => {
  pg = await createTempPostgres();
  store = await openDatabase(pg.url);
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.stop()));
  await Promise.all(services.map((s) => s.stop('SIGKILL')));
  await store?.close();
  await pg?.drop();
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
  spool.cleanup();
});

const pendingOf = async (consumer?: string) =>
  consumer === undefined
    ? Number(((await redis.xpending(stream, INGEST_GROUP)) as [number])[0])
    : ((await redis.xpending(stream, INGEST_GROUP, '-', '+', 1000, consumer)) as unknown[]).length;

describe('ingest killed with SIGKILL under load', () => {
  it('stores every run once; the surviving replica reclaims what the killed one held', { timeout: 150_000 }, async () => {
    const env = {
      REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: pg.url, INGEST_BATCH_SIZE: '10', INGEST_BLOCK_MS: '100',
      INGEST_CLAIM_IDLE_MS: '1000', LOG_LEVEL: 'info',
    };
    const survivor = await startService('ingest', { ...env, INGEST_CONSUMER: 'faults-survivor' });
    services.push(survivor);
    let victimName = 'faults-victim-0';
    let victim = await startService('ingest', { ...env, INGEST_CONSUMER: victimName });
    services.push(victim);

    for (let i = 0; i < 3; i++) {
      producers.push(startProducer({ REDIS_URL, RESULTS_STREAM: stream, FAULTS_PROJECT: 'faults-kill', FAULTS_WORKER: `kill-${i}` }, `${spool.path}/p${i}`));
    }
    const produced = () => producers.reduce((n, p) => n + p.runs.length, 0);
    await waitFor('the producers to get going', () => producers.every((p) => p.runs.length >= 5));

    const pendingAtKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const storedBefore = await countRuns(store);
      await waitFor('the load to keep flowing', async () => (await countRuns(store)) >= storedBefore + 10);
      // Kill it while it holds entries it read but has not acknowledged.
      const name = victimName;
      pendingAtKill.push(await killWhileHolding(victim, () => pendingOf(name)));
      await waitFor(`the survivor to reclaim ${victimName}'s entries`, async () => (await pendingOf(victimName)) === 0, 30_000);
      victimName = `faults-victim-${k + 1}`;
      victim = await startService('ingest', { ...env, INGEST_CONSUMER: victimName });
      services.push(victim);
    }
    const producedAtLastRestart = produced();
    await waitFor('more load after the last restart', () => produced() >= producedAtLastRestart + 30);
    await Promise.all(producers.map((p) => p.stop()));

    const runs = producers.flatMap((p) => p.runs);
    await waitFor('every run stored', async () => (await countRuns(store)) >= runs.length, 60_000, 200);
    await waitFor('nothing pending', async () => (await pendingOf()) === 0, 30_000, 200);
    const result = await reconcile(store, runs);
    const claimed = services.reduce((n, s) => n + sumLogged(s.output(), 'claimed entries left pending by another consumer'), 0);
    const claimedBySurvivor = sumLogged(survivor.output(), 'claimed entries left pending by another consumer');
    const deadLetters = await redis.xlen(`${stream}:dead`);

    recordFigures('ingest-sigkill', {
      store: 'postgres', producers: producers.length, ingest_replicas: 2,
      runs_produced: result.produced, runs_stored: result.stored, runs_lost: result.lost.length, extra_runs: result.extra.length,
      mismatched_runs: result.mismatched.length, result_rows: result.resultRows, expected_result_rows: result.expectedResults,
      faults_injected: KILLS, fault: 'SIGKILL of an ingest replica holding unacknowledged entries',
      entries_pending_at_kill: pendingAtKill, entries_claimed: claimed, entries_claimed_by_survivor: claimedBySurvivor,
      runs_spooled_by_producers: runs.reduce((n, r) => n + r.spooled, 0), dead_letters: deadLetters,
    });

    expectExact(result, runs.length);
    expect(runs.every((r) => r.sent === 1)).toBe(true);
    expect(deadLetters).toBe(0);
    expect(pendingAtKill.every((n) => n > 0)).toBe(true);
    expect(claimedBySurvivor).toBeGreaterThanOrEqual(pendingAtKill.reduce((a, b) => a + b, 0));
  });
});
