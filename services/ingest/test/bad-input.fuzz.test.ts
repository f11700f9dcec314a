import fc from 'fast-check';
import { expect, test } from 'vitest';
import { entryTypes, parseEntry, streamNames } from '@pytest-platform/schema';
import { createIngest } from '../src/index.js';
import { anyData } from '../../../test-support/bad-input.js';
import { makeRun } from '../../../test-support/runs.js';
import { countRows, ingestPerTest, openSqlite, pendingCount, readStream, redisClient, waitFor, xaddMany } from './helpers.js';

const redis = redisClient();
const t = ingestPerTest(redis);

test('a sample of 500 generated bad entries through real ingest: each dead-lettered with its reason, nothing of them stored', async () => {
  const bad = fc
    .sample(fc.tuple(fc.constantFrom(...entryTypes, 'run.teleported'), anyData), { numRuns: 2_000, seed: 42 })
    .filter(([type, data]) => !parseEntry(type, data).ok)
    .slice(0, 500);
  expect(bad).toHaveLength(500);
  const good = [makeRun(), makeRun()];
  const entries = [
    ['type', 'run', 'data', JSON.stringify(good[0])],
    ...bad.map(([type, data]) => ['type', type, 'data', data]),
    ['type', 'run', 'data', JSON.stringify(good[1])],
  ];
  t.ingest = createIngest(t.config);
  await t.ingest.start();
  const ids = await xaddMany(redis, t.config.stream, entries);
  await waitFor('every entry handled', () => t.ingest!.stats().stored + t.ingest!.stats().deadLettered === entries.length, 30_000);

  expect(t.ingest.stats()).toMatchObject({ stored: 2, deadLettered: 500, errors: 0, writeFailures: 0 });
  const dead = await readStream(redis, streamNames(t.config.stream).dead);
  expect(dead).toHaveLength(500);
  const badIds = new Set(ids.slice(1, -1));
  for (const letter of dead) {
    expect(badIds.has(letter.fields.source_id!)).toBe(true);
    expect(letter.fields.reason).toMatch(/^(data is not JSON|invalid run|invalid run\.\w+|unknown type|data larger)/);
  }
  expect(await pendingCount(redis, t.config.stream)).toBe(0);
  const db = await openSqlite(t.tmp.dbPath);
  try {
    expect(countRows(db, 'runs')).toBe(2);
    expect(countRows(db, 'results')).toBe(4);
  } finally {
    await db.close();
  }
});
