import { describe, expect, it } from 'vitest';
import { streamNames } from '@pytest-platform/schema';
import { createIngest } from '../src/index.js';
import { makeRun } from '../../../test-support/runs.js';
import { ingestPerTest, openSqlite, pendingCount, readStream, redisClient, waitFor, xaddMany } from './helpers.js';

const redis = redisClient();
// One delivery is all a refused entry gets: with 5 allowed, a retried one would stay pending.
const t = ingestPerTest(redis, { INGEST_MAX_DELIVERIES: '5' });

const entry = (type: string, data: object) => ['type', type, 'data', JSON.stringify(data)];

describe('stream entries for a run id of another project', () => {
  it('are dead-lettered at once with the reason, change nothing, and leave the rest of the batch stored', async () => {
    t.ingest = createIngest(t.config);
    await t.ingest.start();
    const owned = makeRun({ project: 'my-service', status: 'failed' });
    await xaddMany(redis, t.config.stream, [entry('run', owned)]);
    await waitFor('the owner run stored', () => t.ingest!.stats().stored === 1);

    const header = { run_id: owned.run_id, project: 'attacker-proj', branch: 'main', worker_id: 'evil', started_at: owned.started_at };
    const foreign = [
      entry('run', { ...owned, project: 'attacker-proj', status: 'passed', summary: { total: 999, passed: 999, failed: 0, skipped: 0, errors: 0 }, tests: [{ nodeid: 'planted', outcome: 'failed' }] }),
      entry('run.started', header),
      entry('run.tests', { ...header, tests: [{ nodeid: 'planted', outcome: 'failed' }] }),
      entry('run.finished', { ...header, finished_at: owned.finished_at, status: 'passed' }),
    ];
    const innocent = [makeRun({ project: 'my-service' }), makeRun({ project: 'attacker-proj' })];
    const ids = await xaddMany(redis, t.config.stream, [foreign[0]!, entry('run', innocent[0]!), ...foreign.slice(1), entry('run', innocent[1]!)]);
    await waitFor('every entry handled', () => t.ingest!.stats().stored === 3 && t.ingest!.stats().deadLettered === 4);

    const reason = `run_id ${JSON.stringify(owned.run_id)} belongs to project "my-service"; an entry of project "attacker-proj" may not change it (use a new run_id)`;
    const dead = await readStream(redis, streamNames(t.config.stream).dead);
    expect(dead.map((d) => [d.fields.source_id, d.fields.type, d.fields.reason])).toEqual([
      [ids[0], 'run', reason], [ids[2], 'run.started', reason], [ids[3], 'run.tests', reason], [ids[4], 'run.finished', reason],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    expect(await pendingCount(redis, t.config.stream)).toBe(0);
    expect(t.ingest.stats()).toMatchObject({ storeRetries: 0 });

    const db = await openSqlite(t.tmp.dbPath);
    try {
      const runs = db.sqlite.prepare('select run_id, project, status, total, passed, failed, worker_id from runs order by run_id').all();
      expect(runs).toEqual(expect.arrayContaining([
        { run_id: owned.run_id, project: 'my-service', status: 'failed', total: 2, passed: 1, failed: 1, worker_id: owned.worker_id },
      ]));
      expect(runs.map((r) => (r as { run_id: string }).run_id).sort()).toEqual([owned.run_id, ...innocent.map((r) => r.run_id)].sort());
      const planted = db.sqlite.prepare("select count(*) as n from tests where nodeid = 'planted'").get() as { n: number };
      expect(planted.n).toBe(0);
      const workers = db.sqlite.prepare("select count(*) as n from workers where worker_id = 'evil'").get() as { n: number };
      expect(workers.n).toBe(0);
    } finally {
      await db.close();
    }
  });
});
