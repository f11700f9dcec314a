import type pg from 'pg';
import { failureSignature, summarize, type RunHeader, type StreamEntry, type Summary, type TestResult } from '@pytest-platform/schema';
import type { StoredRun } from './sqlite-run-writer.js';

export interface AsyncRunWriter {
  /** Writes every entry in one transaction; all or nothing. Safe to repeat with the same entries. */
  write(entries: readonly StreamEntry[], now?: number): Promise<StoredRun[]>;
}

const RUN_COLUMNS = `run_id, project, branch, commit_sha, worker_id, framework, framework_version, started_at, environment, last_seen_at`;

const UPSERT_RUNNING = `
  INSERT INTO runs (${RUN_COLUMNS}, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'running')
  ON CONFLICT (run_id) DO UPDATE SET last_seen_at = greatest(runs.last_seen_at, excluded.last_seen_at)
  RETURNING id, summary_final`;

const UPSERT_FINAL = `
  INSERT INTO runs (${RUN_COLUMNS}, finished_at, duration, status, total, passed, failed, skipped, errors,
                    xfailed, xpassed, flaky, summary_final)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
  ON CONFLICT (run_id) DO UPDATE SET
    finished_at = excluded.finished_at, duration = excluded.duration, status = excluded.status,
    total = CASE WHEN excluded.summary_final = 1 THEN excluded.total ELSE runs.total END,
    passed = CASE WHEN excluded.summary_final = 1 THEN excluded.passed ELSE runs.passed END,
    failed = CASE WHEN excluded.summary_final = 1 THEN excluded.failed ELSE runs.failed END,
    skipped = CASE WHEN excluded.summary_final = 1 THEN excluded.skipped ELSE runs.skipped END,
    errors = CASE WHEN excluded.summary_final = 1 THEN excluded.errors ELSE runs.errors END,
    xfailed = CASE WHEN excluded.summary_final = 1 THEN excluded.xfailed ELSE runs.xfailed END,
    xpassed = CASE WHEN excluded.summary_final = 1 THEN excluded.xpassed ELSE runs.xpassed END,
    flaky = CASE WHEN excluded.summary_final = 1 THEN excluded.flaky ELSE runs.flaky END,
    summary_final = greatest(runs.summary_final, excluded.summary_final),
    last_seen_at = greatest(runs.last_seen_at, excluded.last_seen_at)
  RETURNING id, summary_final`;

// Arrays through unnest: one statement per batch of tests, the COPY-like path that pg offers without a stream.
const INTERN_TESTS = `
  INSERT INTO tests (project, nodeid, file, line)
  SELECT $1, t.nodeid, t.file, t.line FROM unnest($2::text[], $3::text[], $4::int[]) AS t(nodeid, file, line)
  ORDER BY t.nodeid
  ON CONFLICT (project, nodeid) DO NOTHING
  RETURNING id, nodeid`;

// Ids of tests another transaction interned: read without taking row locks, so replicas that
// store runs of the same project never wait on each other here.
const FIND_TESTS = `SELECT id, nodeid FROM tests WHERE project = $1 AND nodeid = ANY($2::text[])`;

const UPSERT_RESULTS = `
  INSERT INTO results (run_id, test_id, outcome, duration, attempts, message, longrepr, signature)
  SELECT $1, r.test_id, r.outcome, r.duration, r.attempts, r.message, r.longrepr, r.signature
  FROM unnest($2::int[], $3::text[], $4::float8[], $5::int[], $6::text[], $7::text[], $8::text[])
    AS r(test_id, outcome, duration, attempts, message, longrepr, signature)
  ON CONFLICT (run_id, test_id) DO UPDATE SET outcome = excluded.outcome, duration = excluded.duration,
    attempts = excluded.attempts, message = excluded.message, longrepr = excluded.longrepr, signature = excluded.signature`;

const RECOUNT = `
  UPDATE runs SET (total, passed, failed, skipped, errors, xfailed, xpassed, flaky) = (
    SELECT count(*),
      count(*) FILTER (WHERE outcome = 'passed'), count(*) FILTER (WHERE outcome = 'failed'),
      count(*) FILTER (WHERE outcome = 'skipped'), count(*) FILTER (WHERE outcome = 'error'),
      count(*) FILTER (WHERE outcome = 'xfailed'), count(*) FILTER (WHERE outcome = 'xpassed'),
      count(*) FILTER (WHERE outcome = 'passed' AND attempts > 1)
    FROM results WHERE run_id = $1)
  WHERE id = $1`;

const UPSERT_WORKER = `
  INSERT INTO workers (worker_id, last_seen_at, last_run_id, project, branch) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, last_run_id = excluded.last_run_id,
    project = excluded.project, branch = excluded.branch
  WHERE excluded.last_seen_at >= workers.last_seen_at`;

const SLICE = 5_000;

/** What one transaction did that matters after it: keys it interned, the last entry per worker. */
interface Batch {
  interned: string[];
  workers: Map<string, unknown[]>;
}
const ms = (iso: string) => Date.parse(iso);
// Postgres text cannot hold NUL; everything else passes through.
const pgText = (value: string | null) => (value === null ? null : value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value);

/**
 * The ingest write path on Postgres: one transaction per batch, runs upserted one by one, tests
 * interned and results upserted with array-parameter statements (`unnest`) of up to 5,000 rows.
 */
export function createPostgresRunWriter(pool: pg.Pool): AsyncRunWriter {
  const testIds = new Map<string, number>();

  const header = (h: RunHeader, now: number) => [
    h.run_id, pgText(h.project), pgText(h.branch), pgText(h.commit), pgText(h.worker_id), pgText(h.framework),
    pgText(h.framework_version), ms(h.started_at), pgText(JSON.stringify(h.environment)), now,
  ];

  const final = (h: RunHeader, now: number, status: string, finishedAt: number | null, duration: number | null, s: Summary | undefined) => [
    ...header(h, now), finishedAt, duration, status, s?.total ?? 0, s?.passed ?? 0, s?.failed ?? 0, s?.skipped ?? 0,
    s?.errors ?? 0, s?.xfailed ?? 0, s?.xpassed ?? 0, s?.flaky ?? 0, s ? 1 : 0,
  ];

  async function writeTests(client: pg.PoolClient, batch: Batch, runPk: number, project: string, tests: readonly TestResult[]) {
    const key = (nodeid: string) => `${project}\u0000${nodeid}`;
    for (let start = 0; start < tests.length; start += SLICE) {
      const slice = tests.slice(start, start + SLICE);
      const unknown = slice.filter((t) => !testIds.has(key(pgText(t.nodeid)!)));
      if (unknown.length > 0) {
        const { rows } = await client.query<{ id: number; nodeid: string }>(INTERN_TESTS, [
          pgText(project), unknown.map((t) => pgText(t.nodeid)), unknown.map((t) => pgText(t.file)), unknown.map((t) => t.line),
        ]);
        for (const row of rows) {
          testIds.set(key(row.nodeid), row.id);
          batch.interned.push(key(row.nodeid));
        }
        const missing = unknown.map((t) => pgText(t.nodeid)!).filter((nodeid) => !testIds.has(key(nodeid)));
        if (missing.length > 0) {
          const found = await client.query<{ id: number; nodeid: string }>(FIND_TESTS, [pgText(project), missing]);
          for (const row of found.rows) testIds.set(key(row.nodeid), row.id);
        }
      }
      await client.query(UPSERT_RESULTS, [
        runPk,
        slice.map((t) => testIds.get(key(pgText(t.nodeid)!))),
        slice.map((t) => t.outcome),
        slice.map((t) => t.duration),
        slice.map((t) => t.attempts),
        slice.map((t) => pgText(t.message)),
        slice.map((t) => pgText(t.longrepr)),
        slice.map((t) => (t.outcome === 'failed' || t.outcome === 'error' ? failureSignature(t.message, t.longrepr) : null)),
      ]);
    }
  }

  async function writeOne(client: pg.PoolClient, batch: Batch, entry: StreamEntry, now: number): Promise<StoredRun> {
    const h = entry.data;
    let finished = false;
    switch (entry.type) {
      case 'run': {
        const d = entry.data;
        const { rows } = await client.query<{ id: number }>(UPSERT_FINAL, final(h, now, d.status, d.finished_at ? ms(d.finished_at) : null, d.duration, d.summary ?? summarize(d.tests)));
        await writeTests(client, batch, rows[0]!.id, h.project, d.tests);
        finished = true;
        break;
      }
      case 'run.started':
        await client.query(UPSERT_RUNNING, header(h, now));
        break;
      case 'run.tests': {
        const { rows } = await client.query<{ id: number; summary_final: number }>(UPSERT_RUNNING, header(h, now));
        await writeTests(client, batch, rows[0]!.id, h.project, entry.data.tests);
        if (rows[0]!.summary_final === 0) await client.query(RECOUNT, [rows[0]!.id]);
        break;
      }
      case 'run.finished': {
        const d = entry.data;
        const { rows } = await client.query<{ id: number; summary_final: number }>(UPSERT_FINAL, final(h, now, d.status, ms(d.finished_at), d.duration, d.summary));
        if (rows[0]!.summary_final === 0) await client.query(RECOUNT, [rows[0]!.id]);
        finished = true;
        break;
      }
    }
    batch.workers.set(pgText(h.worker_id)!, [pgText(h.worker_id), now, h.run_id, pgText(h.project), pgText(h.branch)]);
    return { run_id: h.run_id, project: h.project, branch: h.branch, finished };
  }

  return {
    async write(entries, now = Date.now()) {
      const client = await pool.connect();
      const batch: Batch = { interned: [], workers: new Map() };
      try {
        await client.query('BEGIN');
        const stored: StoredRun[] = [];
        // Same lock order in every replica: fewer deadlocks between concurrent batches.
        const ordered = [...entries].sort((a, b) => (a.data.run_id < b.data.run_id ? -1 : a.data.run_id > b.data.run_id ? 1 : 0));
        for (const entry of ordered) stored.push(await writeOne(client, batch, entry, now));
        // Worker rows last and in one order: their locks are held only until the commit just after.
        for (const worker of [...batch.workers.keys()].sort()) await client.query(UPSERT_WORKER, batch.workers.get(worker));
        await client.query('COMMIT');
        return stored;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        // Ids this transaction inserted are gone with it; ids read from committed rows stay valid.
        for (const k of batch.interned) testIds.delete(k);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
