import type pg from 'pg';
import type { RunHeader, StreamEntry, TestResult } from '@pytest-platform/schema';
import { BuildDeltas, KnownTags, TagDeltas, tagsJson } from './build-deltas.js';
import { failureSignature } from './intelligence/failure-signature.js';
import { isFailure, RollupDeltas } from './rollup-deltas.js';
import { writePostgresRunDigests } from './postgres-run-digests.js';
import { MAX_INTERNED_TESTS } from './interned-tests.js';
import { RunDigestDeltas } from './run-digest.js';
import { planRunEntry, type RunFinal, type UpsertedRun } from './run-entry.js';
import { RunIdTakenError, type RunWriter, type StoredRun } from './run-writer.js';

const RUN_COLUMNS = `run_id, project, branch, commit_sha, worker_id, framework, framework_version, started_at, environment, last_seen_at, build_id, shard`;

// Project, branch and start are fixed by the first entry stored; build and shard by the first that names them.
// A run belongs to the project that first stored it: another project's entry updates no row and returns none.
const STORED_RUN = `
  build_id = coalesce(runs.build_id, excluded.build_id), shard = coalesce(runs.shard, excluded.shard)
  WHERE runs.project = excluded.project
  RETURNING id, summary_final, project, branch, commit_sha, started_at, build_id`;

const RUN_OWNER = 'SELECT project FROM runs WHERE run_id = $1';

const UPSERT_RUNNING = `
  INSERT INTO runs (${RUN_COLUMNS}, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'running')
  ON CONFLICT (run_id) DO UPDATE SET last_seen_at = greatest(runs.last_seen_at, excluded.last_seen_at), ${STORED_RUN}`;

const UPSERT_FINAL = `
  INSERT INTO runs (${RUN_COLUMNS}, finished_at, duration, status, total, passed, failed, skipped, errors,
                    xfailed, xpassed, flaky, summary_final)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
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
    last_seen_at = greatest(runs.last_seen_at, excluded.last_seen_at), ${STORED_RUN}`;

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

// Returns only the rows that were already there (xmax <> 0: updated, not inserted), with what they
// held before (every CTE reads the snapshot from before the insert), so the rollups change by
// exactly what changed. A row another replica inserted after that snapshot comes back without its
// old outcome: it holds the same entry, so it changes nothing.
const UPSERT_RESULTS = `
  WITH input AS (
    SELECT * FROM unnest($2::int[], $3::text[], $4::float8[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[])
      AS r(test_id, outcome, duration, attempts, message, longrepr, signature, tags, quarantined)
  ), old AS (
    SELECT test_id, outcome, signature FROM results WHERE run_id = $1 AND test_id = ANY($2::int[])
  ), written AS (
    INSERT INTO results (run_id, test_id, outcome, duration, attempts, message, longrepr, signature, tags, quarantined)
    SELECT $1, test_id, outcome, duration, attempts, message, longrepr, signature, tags, quarantined FROM input
    ON CONFLICT (run_id, test_id) DO UPDATE SET outcome = excluded.outcome, duration = excluded.duration,
      attempts = excluded.attempts, message = excluded.message, longrepr = excluded.longrepr, signature = excluded.signature,
      tags = excluded.tags, quarantined = excluded.quarantined
    RETURNING test_id, xmax <> 0 AS existed
  )
  SELECT written.test_id, old.outcome, old.signature FROM written LEFT JOIN old ON old.test_id = written.test_id
  WHERE written.existed`;

const UPSERT_TEST_DAYS = `
  INSERT INTO test_days (project, test_id, day, branch, runs)
  SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::int[])
  ON CONFLICT (project, test_id, day, branch) DO UPDATE SET runs = test_days.runs + excluded.runs`;

const UPSERT_FAILURE_DAYS = `
  INSERT INTO failure_days (project, day, branch, signature, test_id, failures, first_at, last_at, last_run)
  SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::bigint[], $9::int[])
  ON CONFLICT (project, day, branch, signature, test_id) DO UPDATE SET
    failures = failure_days.failures + excluded.failures,
    first_at = CASE WHEN excluded.last_run = 0 THEN failure_days.first_at ELSE least(failure_days.first_at, excluded.first_at) END,
    last_run = CASE WHEN excluded.last_run <> 0 AND excluded.last_at >= failure_days.last_at THEN excluded.last_run ELSE failure_days.last_run END,
    last_at = CASE WHEN excluded.last_run = 0 THEN failure_days.last_at ELSE greatest(failure_days.last_at, excluded.last_at) END`;

const UPSERT_BUILDS = `
  INSERT INTO builds (project, build_id, branch, commit_sha, started_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
  ON CONFLICT (project, build_id) DO UPDATE SET started_at = least(builds.started_at, excluded.started_at),
    branch = coalesce(builds.branch, excluded.branch), commit_sha = coalesce(builds.commit_sha, excluded.commit_sha)
  WHERE excluded.started_at < builds.started_at OR (builds.branch IS NULL AND excluded.branch IS NOT NULL)
    OR (builds.commit_sha IS NULL AND excluded.commit_sha IS NOT NULL)`;

const INSERT_TEST_TAGS = `
  INSERT INTO test_tags (tag, project, test_id) SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
  ON CONFLICT DO NOTHING`;

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
  rollups: RollupDeltas;
  builds: BuildDeltas;
  tags: TagDeltas;
  digests: RunDigestDeltas;
}

const ms = (iso: string) => Date.parse(iso);
// Postgres text cannot hold NUL; everything else passes through.
const pgText = (value: string | null) => (value === null ? null : value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value);

const headerParams = (h: RunHeader, now: number) => [
  h.run_id, pgText(h.project), pgText(h.branch), pgText(h.commit), pgText(h.worker_id), pgText(h.framework),
  pgText(h.framework_version), ms(h.started_at), pgText(JSON.stringify(h.environment)), now, pgText(h.build_id), h.shard,
];

const finalParams = (h: RunHeader, final: RunFinal, now: number) => {
  const s = final.summary;
  return [
    ...headerParams(h, now), final.finished_at, final.duration, final.status, s?.total ?? 0, s?.passed ?? 0, s?.failed ?? 0, s?.skipped ?? 0,
    s?.errors ?? 0, s?.xfailed ?? 0, s?.xpassed ?? 0, s?.flaky ?? 0, s ? 1 : 0,
  ];
};

/** Runs `statement` once per slice of up to 5,000 rows, with the columns `params` picks from the slice. */
async function sliced<T>(client: pg.PoolClient, statement: string, rows: readonly T[], params: (slice: readonly T[]) => unknown[]) {
  for (let start = 0; start < rows.length; start += SLICE) await client.query(statement, params(rows.slice(start, start + SLICE)));
}

/** The batch's rollup changes, in key order: locks on shared rollup rows are taken last and in one order. */
async function writeRollups(client: pg.PoolClient, rollups: RollupDeltas) {
  await sliced(client, UPSERT_TEST_DAYS, rollups.testDays(), (s) => [
    s.map((r) => pgText(r.project)), s.map((r) => r.test_id), s.map((r) => r.day), s.map((r) => pgText(r.branch)), s.map((r) => r.runs),
  ]);
  await sliced(client, UPSERT_FAILURE_DAYS, rollups.failureDays(), (s) => [
    s.map((r) => pgText(r.project)), s.map((r) => r.day), s.map((r) => pgText(r.branch)), s.map((r) => r.signature), s.map((r) => r.test_id),
    s.map((r) => r.failures), s.map((r) => r.first_at), s.map((r) => r.last_at), s.map((r) => r.last_run),
  ]);
}

/** The batch's build rows and new test tags, in key order, like the rollups. */
async function writeBuildsAndTags(client: pg.PoolClient, batch: Batch) {
  const b = batch.builds.rows();
  if (b.length > 0) {
    await client.query(UPSERT_BUILDS, [
      b.map((r) => pgText(r.project)), b.map((r) => pgText(r.build_id)), b.map((r) => pgText(r.branch)), b.map((r) => pgText(r.commit_sha)), b.map((r) => r.started_at),
    ]);
  }
  await sliced(client, INSERT_TEST_TAGS, batch.tags.rows(), (s) => [s.map((r) => r.tag), s.map((r) => r.project), s.map((r) => r.test_id)]);
}

/**
 * The ingest write path on Postgres: one transaction per batch, runs upserted one by one, tests
 * interned and results upserted with array-parameter statements (`unnest`) of up to 5,000 rows.
 */
export function createPostgresRunWriter(pool: pg.Pool): RunWriter {
  return new PostgresRunWriter(pool);
}

class PostgresRunWriter implements RunWriter {
  /** `project NUL nodeid` → tests.id. */
  private readonly testIds = new Map<string, number>();
  private readonly knownTags = new KnownTags();

  constructor(private readonly pool: pg.Pool) {}

  async write(entries: Iterable<StreamEntry>, now = Date.now()): Promise<StoredRun[]> {
    // Forgotten between batches only: a batch reads its ids back from this map.
    if (this.testIds.size > MAX_INTERNED_TESTS) this.testIds.clear();
    const client = await this.pool.connect();
    const batch: Batch = { interned: [], workers: new Map(), rollups: new RollupDeltas(), builds: new BuildDeltas(), tags: new TagDeltas(this.knownTags), digests: new RunDigestDeltas() };
    try {
      await client.query('BEGIN');
      const stored: StoredRun[] = [];
      // Same lock order in every replica: fewer deadlocks between concurrent batches.
      const ordered = [...entries].sort((a, b) => (a.data.run_id < b.data.run_id ? -1 : a.data.run_id > b.data.run_id ? 1 : 0));
      for (const entry of ordered) stored.push(await this.writeEntry(client, batch, entry, now));
      // Rollup and worker rows last and in one order: their locks are held only until the commit just after.
      await writeRollups(client, batch.rollups);
      await writePostgresRunDigests(client, batch.digests);
      await writeBuildsAndTags(client, batch);
      for (const worker of [...batch.workers.keys()].sort()) await client.query(UPSERT_WORKER, batch.workers.get(worker));
      await client.query('COMMIT');
      batch.tags.committed();
      return stored;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // Ids this transaction inserted are gone with it; ids read from committed rows stay valid.
      for (const k of batch.interned) this.testIds.delete(k);
      throw error;
    } finally {
      client.release();
    }
  }

  private async writeEntry(client: pg.PoolClient, batch: Batch, entry: StreamEntry, now: number): Promise<StoredRun> {
    const { header: h, final, tests, recount } = planRunEntry(entry);
    // bigint columns come back as numbers (the INT8 type parser of open-database.ts).
    const { rows } = await client.query<UpsertedRun>(final ? UPSERT_FINAL : UPSERT_RUNNING, final ? finalParams(h, final, now) : headerParams(h, now));
    const run = rows[0];
    if (run === undefined) {
      const owner = await client.query<{ project: string }>(RUN_OWNER, [h.run_id]);
      throw new RunIdTakenError(h.run_id, h.project, owner.rows[0]?.project ?? null);
    }
    batch.builds.add(run);
    if (tests.length > 0) await this.writeTests(client, batch, run, h.project, tests);
    if (recount && run.summary_final === 0) await client.query(RECOUNT, [run.id]);
    batch.workers.set(pgText(h.worker_id)!, [pgText(h.worker_id), now, h.run_id, pgText(h.project), pgText(h.branch)]);
    return { run_id: h.run_id, project: h.project, branch: h.branch, finished: final !== null };
  }

  private async writeTests(client: pg.PoolClient, batch: Batch, run: UpsertedRun, project: string, tests: readonly TestResult[]) {
    const bucket = batch.rollups.bucket(run);
    for (let start = 0; start < tests.length; start += SLICE) {
      const slice = tests.slice(start, start + SLICE);
      const ids = await this.internTests(client, batch, project, slice);
      batch.digests.addAll(run.id, ids, slice);
      const signatures = slice.map((t) => (isFailure(t.outcome) ? failureSignature(t.message, t.longrepr) : null));
      const tagged = slice.map((t, i) => {
        const json = tagsJson(t.tags);
        if (json !== null) batch.tags.add(t.tags!.map((tag) => pgText(tag)!), pgText(project)!, ids[i]!);
        return pgText(json);
      });
      const { rows: existed } = await client.query<{ test_id: number; outcome: string | null; signature: string | null }>(UPSERT_RESULTS, [
        run.id, ids, slice.map((t) => t.outcome), slice.map((t) => t.duration), slice.map((t) => t.attempts),
        slice.map((t) => pgText(t.message)), slice.map((t) => pgText(t.longrepr)), signatures, tagged,
        slice.map((t) => (t.quarantined === true ? 1 : null)),
      ]);
      // Replaced rows: take the old failure out (if any). Later entries of a slice win, as in SQLite.
      const before = new Map(existed.map((r) => [r.test_id, r]));
      for (const [i, id] of ids.entries()) {
        const old = before.get(id);
        const signature = signatures[i]!;
        if (old === undefined) bucket.addRun(id);
        else if (old.outcome === null) continue;
        else if (isFailure(old.outcome)) bucket.addFailure(id, old.signature ?? '', -1, run);
        if (signature !== null) bucket.addFailure(id, signature, 1, run);
      }
    }
  }

  /** The tests.id of every test of `slice`, interning the ones this writer has not seen. */
  private async internTests(client: pg.PoolClient, batch: Batch, project: string, slice: readonly TestResult[]): Promise<number[]> {
    const key = (nodeid: string) => `${project}\u0000${nodeid}`;
    const unknown = slice.filter((t) => !this.testIds.has(key(pgText(t.nodeid)!)));
    if (unknown.length > 0) {
      const { rows } = await client.query<{ id: number; nodeid: string }>(INTERN_TESTS, [
        pgText(project), unknown.map((t) => pgText(t.nodeid)), unknown.map((t) => pgText(t.file)), unknown.map((t) => t.line),
      ]);
      for (const row of rows) {
        this.testIds.set(key(row.nodeid), row.id);
        batch.interned.push(key(row.nodeid));
      }
      const missing = unknown.map((t) => pgText(t.nodeid)!).filter((nodeid) => !this.testIds.has(key(nodeid)));
      if (missing.length > 0) {
        const found = await client.query<{ id: number; nodeid: string }>(FIND_TESTS, [pgText(project), missing]);
        for (const row of found.rows) this.testIds.set(key(row.nodeid), row.id);
      }
    }
    return slice.map((t) => this.testIds.get(key(pgText(t.nodeid)!))!);
  }
}
