import type SqliteDatabase from 'better-sqlite3';
import {
  failureSignature, summarize, type RunHeader, type StreamEntry, type Summary, type TestResult,
} from '@pytest-platform/schema';
import { BuildDeltas, KnownTags, TagDeltas, tagsJson, type StoredRunHeader } from './build-deltas.js';
import { isFailure, RollupDeltas } from './rollup-deltas.js';

/** What one stored entry changed, for the caller's events and logs. */
export interface StoredRun {
  run_id: string;
  project: string;
  branch: string | null;
  /** Set when the entry finished the run (`run`, `run.finished`). */
  finished: boolean;
}

export interface RunWriter {
  /** Writes every entry in one transaction; all or nothing. Safe to repeat with the same entries. */
  write(entries: readonly StreamEntry[], now?: number): StoredRun[];
}

type Final = { status: string; finished_at: number | null; duration: number | null; summary: Summary | undefined };

const ms = (iso: string) => Date.parse(iso);

/** What the run upserts return: the stored run, whose project, branch, start, build and shard are fixed once stored. */
const STORED_RUN = 'id, summary_final, project, branch, commit_sha, started_at, build_id';
type StoredRow = StoredRunHeader & { summary_final: number };

/**
 * The ingest write path on SQLite: raw prepared statements in one IMMEDIATE transaction per batch
 * (Kysely multi-row inserts measured 0.5–0.6× of this; see DESIGN.md). Node ids are interned through
 * an in-memory map so results carry integer keys. The per-day rollups (`test_days`, `failure_days`)
 * change in the same transaction, summed in memory and written once per batch.
 */
export function createSqliteRunWriter(sqlite: SqliteDatabase.Database): RunWriter {
  const upsertRunning = sqlite.prepare(`
    INSERT INTO runs (run_id, project, branch, commit_sha, worker_id, framework, framework_version, started_at,
                      build_id, shard, status, environment, last_seen_at)
    VALUES (@run_id, @project, @branch, @commit, @worker_id, @framework, @framework_version, @started_at,
            @build_id, @shard, 'running', @environment, @now)
    ON CONFLICT (run_id) DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at),
      build_id = coalesce(build_id, excluded.build_id), shard = coalesce(shard, excluded.shard)
    RETURNING ${STORED_RUN}`);
  const upsertFinal = sqlite.prepare(`
    INSERT INTO runs (run_id, project, branch, commit_sha, worker_id, framework, framework_version, started_at,
                      build_id, shard, finished_at, duration, status, total, passed, failed, skipped, errors, xfailed,
                      xpassed, flaky, summary_final, environment, last_seen_at)
    VALUES (@run_id, @project, @branch, @commit, @worker_id, @framework, @framework_version, @started_at,
            @build_id, @shard, @finished_at, @duration, @status, @total, @passed, @failed, @skipped, @errors, @xfailed,
            @xpassed, @flaky, @summary_final, @environment, @now)
    ON CONFLICT (run_id) DO UPDATE SET
      finished_at = excluded.finished_at, duration = excluded.duration, status = excluded.status,
      total = CASE WHEN excluded.summary_final = 1 THEN excluded.total ELSE total END,
      passed = CASE WHEN excluded.summary_final = 1 THEN excluded.passed ELSE passed END,
      failed = CASE WHEN excluded.summary_final = 1 THEN excluded.failed ELSE failed END,
      skipped = CASE WHEN excluded.summary_final = 1 THEN excluded.skipped ELSE skipped END,
      errors = CASE WHEN excluded.summary_final = 1 THEN excluded.errors ELSE errors END,
      xfailed = CASE WHEN excluded.summary_final = 1 THEN excluded.xfailed ELSE xfailed END,
      xpassed = CASE WHEN excluded.summary_final = 1 THEN excluded.xpassed ELSE xpassed END,
      flaky = CASE WHEN excluded.summary_final = 1 THEN excluded.flaky ELSE flaky END,
      summary_final = max(summary_final, excluded.summary_final),
      last_seen_at = max(last_seen_at, excluded.last_seen_at),
      build_id = coalesce(build_id, excluded.build_id), shard = coalesce(shard, excluded.shard)
    RETURNING ${STORED_RUN}`);
  const internTest = sqlite.prepare(`
    INSERT INTO tests (project, nodeid, file, line) VALUES (?, ?, ?, ?)
    ON CONFLICT (project, nodeid) DO UPDATE SET file = coalesce(tests.file, excluded.file), line = coalesce(tests.line, excluded.line)
    RETURNING id`);
  // New rows take one statement; a row already there (a redelivery, a live run's repeat) is read
  // before it is replaced, so the rollups change by exactly what changed.
  const insertResult = sqlite.prepare(`
    INSERT INTO results (run_id, test_id, outcome, duration, attempts, message, longrepr, signature, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, test_id) DO NOTHING`);
  const storedResult = sqlite.prepare('SELECT outcome, signature FROM results WHERE run_id = ? AND test_id = ?');
  const replaceResult = sqlite.prepare(`
    UPDATE results SET outcome = ?, duration = ?, attempts = ?, message = ?, longrepr = ?, signature = ?, tags = ? WHERE run_id = ? AND test_id = ?`);
  const upsertTestDay = sqlite.prepare(`
    INSERT INTO test_days (project, test_id, day, branch, runs) VALUES (@project, @test_id, @day, @branch, @runs)
    ON CONFLICT (project, test_id, day, branch) DO UPDATE SET runs = runs + excluded.runs`);
  const upsertFailureDay = sqlite.prepare(`
    INSERT INTO failure_days (project, day, branch, signature, test_id, failures, first_at, last_at, last_run)
    VALUES (@project, @day, @branch, @signature, @test_id, @failures, @first_at, @last_at, @last_run)
    ON CONFLICT (project, day, branch, signature, test_id) DO UPDATE SET
      failures = failures + excluded.failures,
      first_at = CASE WHEN excluded.last_run = 0 THEN first_at ELSE min(first_at, excluded.first_at) END,
      last_run = CASE WHEN excluded.last_run <> 0 AND excluded.last_at >= last_at THEN excluded.last_run ELSE last_run END,
      last_at = CASE WHEN excluded.last_run = 0 THEN last_at ELSE max(last_at, excluded.last_at) END`);
  const insertTestTag = sqlite.prepare('INSERT INTO test_tags (tag, project, test_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const upsertBuild = sqlite.prepare(`
    INSERT INTO builds (project, build_id, branch, commit_sha, started_at) VALUES (@project, @build_id, @branch, @commit_sha, @started_at)
    ON CONFLICT (project, build_id) DO UPDATE SET started_at = min(started_at, excluded.started_at),
      branch = coalesce(branch, excluded.branch), commit_sha = coalesce(commit_sha, excluded.commit_sha)`);
  const countResults = sqlite.prepare(`
    SELECT outcome, count(*) AS n, sum(CASE WHEN attempts > 1 THEN 1 ELSE 0 END) AS retried
    FROM results WHERE run_id = ? GROUP BY outcome`);
  const setCounts = sqlite.prepare(`
    UPDATE runs SET total = @total, passed = @passed, failed = @failed, skipped = @skipped, errors = @errors,
      xfailed = @xfailed, xpassed = @xpassed, flaky = @flaky WHERE id = @id`);
  const upsertWorker = sqlite.prepare(`
    INSERT INTO workers (worker_id, last_seen_at, last_run_id, project, branch) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (worker_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, last_run_id = excluded.last_run_id,
      project = excluded.project, branch = excluded.branch
    WHERE excluded.last_seen_at >= workers.last_seen_at`);

  // project → nodeid → tests.id; bounded so a stream of ever-new node ids cannot grow it forever.
  const testIds = new Map<string, Map<string, number>>();
  let interned = 0;
  const MAX_INTERNED = 2_000_000;

  const headerParams = (h: RunHeader, now: number) => ({
    run_id: h.run_id, project: h.project, branch: h.branch, commit: h.commit, worker_id: h.worker_id,
    framework: h.framework, framework_version: h.framework_version, started_at: ms(h.started_at),
    build_id: h.build_id, shard: h.shard, environment: JSON.stringify(h.environment), now,
  });

  const writeFinal = (h: RunHeader, final: Final, now: number) => {
    const s = final.summary;
    return upsertFinal.get({
      ...headerParams(h, now), finished_at: final.finished_at, duration: final.duration, status: final.status,
      total: s?.total ?? 0, passed: s?.passed ?? 0, failed: s?.failed ?? 0, skipped: s?.skipped ?? 0,
      errors: s?.errors ?? 0, xfailed: s?.xfailed ?? 0, xpassed: s?.xpassed ?? 0, flaky: s?.flaky ?? 0,
      summary_final: s ? 1 : 0,
    }) as StoredRow;
  };

  const projectIds = (project: string): Map<string, number> => {
    let ids = testIds.get(project);
    if (ids === undefined) {
      ids = new Map();
      testIds.set(project, ids);
    }
    return ids;
  };

  const rollups = new RollupDeltas();
  const builds = new BuildDeltas();
  const knownTags = new KnownTags();
  let tags = new TagDeltas(knownTags);

  const writeTests = (run: StoredRow, project: string, tests: readonly TestResult[]) => {
    const runPk = run.id;
    const bucket = rollups.bucket(run);
    let ids = projectIds(project);
    for (const t of tests) {
      let id = ids.get(t.nodeid);
      if (id === undefined) {
        id = (internTest.get(project, t.nodeid, t.file, t.line) as { id: number }).id;
        if (++interned > MAX_INTERNED) {
          testIds.clear();
          interned = 0;
          ids = projectIds(project);
        }
        ids.set(t.nodeid, id);
      }
      const signature = isFailure(t.outcome) ? failureSignature(t.message, t.longrepr) : null;
      const tagged = tagsJson(t.tags);
      if (tagged !== null) tags.add(t.tags!, project, id);
      if (insertResult.run(runPk, id, t.outcome, t.duration, t.attempts, t.message, t.longrepr, signature, tagged).changes === 1) {
        bucket.addRun(id);
      } else {
        const old = storedResult.get(runPk, id) as { outcome: string; signature: string | null };
        replaceResult.run(t.outcome, t.duration, t.attempts, t.message, t.longrepr, signature, tagged, runPk, id);
        if (isFailure(old.outcome)) bucket.addFailure(id, old.signature ?? '', -1, run);
      }
      if (signature !== null) bucket.addFailure(id, signature, 1, run);
    }
  };

  const flushBatch = () => {
    for (const row of rollups.testDays()) upsertTestDay.run(row);
    for (const row of rollups.failureDays()) upsertFailureDay.run(row);
    for (const row of builds.rows()) upsertBuild.run(row);
    for (const row of tags.rows()) insertTestTag.run(row.tag, row.project, row.test_id);
    rollups.clear();
    builds.clear();
  };

  const recount = (runPk: number) => {
    const counts = { id: runPk, total: 0, passed: 0, failed: 0, skipped: 0, errors: 0, xfailed: 0, xpassed: 0, flaky: 0 };
    for (const row of countResults.all(runPk) as { outcome: string; n: number; retried: number }[]) {
      counts.total += row.n;
      const key = row.outcome === 'error' ? 'errors' : row.outcome;
      if (key in counts) counts[key as 'passed'] += row.n;
      if (row.outcome === 'passed') counts.flaky = row.retried;
    }
    setCounts.run(counts);
  };

  const writeOne = (entry: StreamEntry, now: number): StoredRun => {
    const h = entry.data;
    let finished = false;
    switch (entry.type) {
      case 'run': {
        const data = entry.data;
        const summary = data.summary ?? summarize(data.tests);
        const run = writeFinal(h, { status: data.status, finished_at: data.finished_at ? ms(data.finished_at) : null, duration: data.duration, summary }, now);
        builds.add(run);
        writeTests(run, h.project, data.tests);
        finished = true;
        break;
      }
      case 'run.started':
        builds.add(upsertRunning.get(headerParams(h, now)) as StoredRow);
        break;
      case 'run.tests': {
        const run = upsertRunning.get(headerParams(h, now)) as StoredRow;
        builds.add(run);
        writeTests(run, h.project, entry.data.tests);
        if (run.summary_final === 0) recount(run.id);
        break;
      }
      case 'run.finished': {
        const data = entry.data;
        const run = writeFinal(h, { status: data.status, finished_at: ms(data.finished_at), duration: data.duration, summary: data.summary }, now);
        builds.add(run);
        if (run.summary_final === 0) recount(run.id);
        finished = true;
        break;
      }
    }
    upsertWorker.run(h.worker_id, now, h.run_id, h.project, h.branch);
    return { run_id: h.run_id, project: h.project, branch: h.branch, finished };
  };

  const writeBatch = sqlite.transaction((entries: readonly StreamEntry[], now: number) => {
    const stored = entries.map((e) => writeOne(e, now));
    flushBatch();
    return stored;
  });

  return {
    write(entries, now = Date.now()) {
      try {
        const stored = writeBatch.immediate(entries, now);
        tags.committed();
        return stored;
      } catch (error) {
        // A rolled-back transaction may have interned ids that no longer exist.
        testIds.clear();
        rollups.clear();
        builds.clear();
        interned = 0;
        throw error;
      } finally {
        tags = new TagDeltas(knownTags);
      }
    },
  };
}
