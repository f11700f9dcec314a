import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@pytest-platform/db';
import { INGEST_GROUP } from '@pytest-platform/schema';
import { randomStream } from '../test-support/runs.js';
import { REDIS_URL, startService, type RunningService } from '../test-support/services.js';
import {
  countLogged, countRuns, reconcile, recordFigures, startProducer, tempDir, waitFor, expectExact, type Producer } from './support.js';

// The database refusing writes: another connection holds SQLite's write lock (BEGIN IMMEDIATE on
// the same file) while two producers keep sending. Ingest's writes wait out its busy_timeout and
// fail with SQLITE_BUSY; it must keep the batch pending (no XACK), back off, and store everything
// once the lock is released. (Why a held lock and not a full disk or a read-only directory: see
// RELIABILITY.md.)
const REFUSED = 'database refused the batch; entries stay pending, retrying';
const stream = randomStream('faults-db');
const redis = new Redis(REDIS_URL);
const dir = tempDir();
const dbFile = join(dir.path, 'faults.sqlite');
let store: Extract<Store, { dialect: 'sqlite' }>;
let holder: Extract<Store, { dialect: 'sqlite' }> | undefined;
let ingest: RunningService | undefined;
const producers: Producer[] = [];

beforeAll(async () => {
  store = (await openDatabase(dbFile)) as Extract<Store, { dialect: 'sqlite' }>;
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.stop()));
  if (holder?.sqlite.inTransaction) holder.sqlite.exec('ROLLBACK');
  await holder?.close();
  await ingest?.stop('SIGKILL');
  await store?.close();
  await redis.del(stream, `${stream}:dead`, `${stream}:events`);
  redis.disconnect();
  dir.cleanup();
});

const pending = async () => Number(((await redis.xpending(stream, INGEST_GROUP)) as [number])[0]);

describe('the database refusing writes', () => {
  it('stops acknowledging while the write lock is held, backs off, and resumes without loss', { timeout: 120_000 }, async () => {
    ingest = await startService('ingest', {
      REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: dbFile, INGEST_BATCH_SIZE: '20', INGEST_BLOCK_MS: '100', LOG_LEVEL: 'info',
    });
    for (let i = 0; i < 2; i++) {
      producers.push(startProducer({ REDIS_URL, RESULTS_STREAM: stream, FAULTS_PROJECT: 'faults-db', FAULTS_WORKER: `db-${i}`, FAULTS_PAUSE_MS: '20' }, join(dir.path, `spool-${i}`)));
    }
    await waitFor('ingest to store some', async () => (await countRuns(store)) >= 20);

    holder = (await openDatabase(dbFile)) as Extract<Store, { dialect: 'sqlite' }>;
    holder.sqlite.exec('BEGIN IMMEDIATE');
    const lockedAt = Date.now();
    const refusedBefore = countLogged(ingest.output(), REFUSED);
    const storedAtLock = await countRuns(store);
    const producedAtLock = producers.reduce((n, p) => n + p.runs.length, 0);
    await waitFor('ingest to hold unacknowledged entries', async () => (await pending()) > 0, 30_000);
    await waitFor('ingest to report the refused batch', () => countLogged(ingest!.output(), REFUSED) > refusedBefore, 60_000, 100);
    const pendingWhileLocked = await pending();
    const storedWhileLocked = await countRuns(store);
    const producedWhileLocked = producers.reduce((n, p) => n + p.runs.length, 0) - producedAtLock;
    holder.sqlite.exec('COMMIT');
    const lockHeldMs = Date.now() - lockedAt;
    await holder.close();
    holder = undefined;

    const atRelease = producers.map((p) => p.runs.length);
    await waitFor('load after the release', () => producers.every((p, i) => p.runs.length >= atRelease[i]! + 10));
    await Promise.all(producers.map((p) => p.stop()));

    const runs = producers.flatMap((p) => p.runs);
    await waitFor('every run stored', async () => (await countRuns(store)) >= runs.length, 60_000, 200);
    await waitFor('nothing pending', async () => (await pending()) === 0, 30_000, 200);
    const result = await reconcile(store, runs);
    const deadLetters = await redis.xlen(`${stream}:dead`);
    const refusals = countLogged(ingest.output(), REFUSED) - refusedBefore;

    recordFigures('database-lock', {
      store: 'sqlite', producers: producers.length, faults_injected: 1,
      fault: 'SQLite write lock held by another connection (BEGIN IMMEDIATE) until ingest reported a refused batch',
      lock_held_ms: lockHeldMs, batches_refused: refusals, entries_pending_while_locked: pendingWhileLocked,
      runs_sent_while_locked: producedWhileLocked,
      runs_produced: result.produced, runs_stored: result.stored, runs_lost: result.lost.length, extra_runs: result.extra.length,
      mismatched_runs: result.mismatched.length, result_rows: result.resultRows, expected_result_rows: result.expectedResults,
      dead_letters: deadLetters,
    });

    expect(storedWhileLocked).toBe(storedAtLock);
    expect(pendingWhileLocked).toBeGreaterThan(0);
    expect(producedWhileLocked).toBeGreaterThan(0);
    expectExact(result, runs.length);
    expect(deadLetters).toBe(0);
    expect(ingest.proc.exitCode).toBeNull();
  });
});
