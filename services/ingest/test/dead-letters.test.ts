import { describe, expect, it } from 'vitest';
import { streamNames } from '@pytest-platform/schema';
import { createIngest } from '../src/index.js';
import { makeRun } from '../../../test-support/runs.js';
import { countRows, ingestPerTest, openSqlite, pendingCount, readStream, redisClient, waitFor, xaddMany } from './helpers.js';

const redis = redisClient();
const t = ingestPerTest(redis, { INGEST_MAX_DELIVERIES: '3' });

const runEntry = (run: object) => ['type', 'run', 'data', JSON.stringify(run)];

describe('dead letters', () => {
  it('dead-letters entries that can never be stored, with the reason, and keeps storing the valid ones', async () => {
    t.ingest = createIngest(t.config);
    await t.ingest.start();
    const before = makeRun();
    const after = makeRun();
    const { run_id: _drop, ...withoutRunId } = makeRun();
    const invalid = [
      ['type', 'run', 'data', '{not json'],
      runEntry({ ...makeRun(), status: 'exploded' }),
      ['type', 'run.teleported', 'data', JSON.stringify(makeRun())],
      runEntry(withoutRunId),
      ['data', JSON.stringify(makeRun())],
      ['type', 'run'],
    ];
    const ids = await xaddMany(redis, t.config.stream, [runEntry(before), ...invalid, runEntry(after)]);
    await waitFor('every entry handled', () => t.ingest!.stats().stored === 2 && t.ingest!.stats().deadLettered === 6);

    const dead = await readStream(redis, streamNames(t.config.stream).dead);
    const bySource = new Map(dead.map((d) => [d.fields.source_id, d.fields]));
    const reasonOf = (index: number) => bySource.get(ids[index + 1]!)?.reason;
    expect(reasonOf(0)).toMatch(/^data is not JSON/);
    expect(reasonOf(1)).toMatch(/^invalid run: status:/);
    expect(reasonOf(2)).toMatch(/^unknown type "run.teleported"/);
    expect(reasonOf(3)).toMatch(/^invalid run: run_id:/);
    expect(reasonOf(4)).toBe('missing field "type"');
    expect(reasonOf(5)).toBe('missing field "data"');
    expect(bySource.get(ids[1]!)).toMatchObject({ type: 'run', data: '{not json', consumer: t.config.consumer });
    expect(new Date(bySource.get(ids[1]!)!.at!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(dead).toHaveLength(6);

    expect(await pendingCount(redis, t.config.stream)).toBe(0);
    const db = await openSqlite(t.tmp.dbPath);
    try {
      const stored = db.sqlite.prepare('select run_id from runs order by run_id').all() as { run_id: string }[];
      expect(stored.map((r) => r.run_id)).toEqual([before.run_id, after.run_id].sort());
    } finally {
      await db.close();
    }
  });

  it('truncates the data of a huge dead letter to 1 MiB', async () => {
    t.ingest = createIngest(t.config);
    await t.ingest.start();
    const huge = `{"broken": "${'x'.repeat(2 * 1_048_576)}`;
    await xaddMany(redis, t.config.stream, [['type', 'run', 'data', huge]]);
    await waitFor('dead-lettered', () => t.ingest!.stats().deadLettered === 1);
    const [dead] = await readStream(redis, streamNames(t.config.stream).dead);
    expect(Buffer.byteLength(dead!.fields.data!)).toBeLessThanOrEqual(1_048_576);
    expect(dead!.fields.data!.startsWith('{"broken": "xxx')).toBe(true);
    expect(dead!.fields.data!.endsWith('[truncated]')).toBe(true);
  });

  it('dead-letters an entry the database rejects once it failed the maximum number of deliveries', async () => {
    const setup = await openSqlite(t.tmp.dbPath);
    setup.sqlite.exec(`
      CREATE TRIGGER reject_poison BEFORE INSERT ON runs WHEN NEW.run_id = 'poison-run'
      BEGIN SELECT RAISE(ABORT, 'poisoned run refused by the test trigger'); END`);
    await setup.close();

    t.ingest = createIngest(t.config);
    await t.ingest.start();
    const good1 = makeRun();
    const good2 = makeRun();
    const ids = await xaddMany(redis, t.config.stream, [runEntry(good1), runEntry(makeRun({ run_id: 'poison-run' })), runEntry(good2)]);
    await waitFor('good runs stored', () => t.ingest!.stats().stored === 2);
    await waitFor('poison dead-lettered', () => t.ingest!.stats().deadLettered === 1);

    expect(t.ingest.stats().writeFailures).toBe(3);
    const dead = await readStream(redis, streamNames(t.config.stream).dead);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.fields).toMatchObject({ source_id: ids[1], type: 'run' });
    expect(dead[0]!.fields.reason).toBe('write failed 3 times: poisoned run refused by the test trigger');
    expect(await pendingCount(redis, t.config.stream)).toBe(0);

    const db = await openSqlite(t.tmp.dbPath);
    try {
      expect(countRows(db, 'runs')).toBe(2);
      expect(countRows(db, 'results')).toBe(4);
    } finally {
      await db.close();
    }
  });
});
