// `npm run bench` (BENCH_SCALE=small for a quick look): starts its own Redis and temp databases,
// measures each figure next to a baseline from the same run, prints a table and writes
// bench/results/latest.json. See bench/README.md for what limits each figure.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createRunWriter, foldFinishedRuns, foldRunDurations, openDatabase } from '@pytest-platform/db';
import { measureRawBaseline, measureSchemaCeiling } from './lib/baseline.js';
import { makeRun, TESTS_PER_RUN } from './lib/dataset.js';
import { freePort, repoRoot, sleep, startBuiltService, type Service } from './lib/processes.js';
import { round } from './lib/stats.js';
import { startRedisServer } from '../scripts/lib/local-redis.js';
import { ensurePostgres } from '../scripts/lib/local-postgres.js';
import { measurePages } from './lib/pages.js';
import { measureReads } from './lib/reads.js';
import { measureReportRender } from './lib/report-render.js';
import { measureReporterCost } from './lib/reporter-cost.js';
import { measureSharding } from './lib/sharding.js';

const scale = process.env.BENCH_SCALE === 'small' ? 'small' : 'full';
const P = scale === 'small'
  ? { runs: 60, growth: [100_000, 300_000, 600_000], readSeconds: 2, reporter: { BENCH_REPS: '3', BENCH_INPROC_SESSIONS: '100' }, sharding: { files: 200, totalSleep: 8, wallFiles: 40, wallSleep: 16, wallReps: 1 } }
  : { runs: 200, growth: [1_000_000, 5_000_000, 10_000_000], readSeconds: 5, reporter: {} as Record<string, string>, sharding: { files: 240, totalSleep: 24, wallFiles: 48, wallSleep: 24, wallReps: 3 } };
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
/**
 * `BENCH_ONLY=growth,postgres` runs only those sections (the baseline and the empty-store ingest run
 * with any of them); `BENCH_ONLY=sharding` runs the sharding section alone.
 */
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const want = (section: 'growth' | 'http' | 'postgres' | 'report' | 'reporter' | 'reads' | 'pages' | 'sharding') => !only || only.includes(section);
const work = mkdtempSync(join(tmpdir(), 'pp-bench-'));
const cacheDir = join(repoRoot, 'bench/.cache');
const results: Record<string, unknown> = { scale, started_at: new Date().toISOString(), figures: {} };
const figures = results.figures as Record<string, unknown>;
// The cached datasets span the ~7 days before they were built (one run a minute), so windowed reads find data.
const T0 = Date.now() - (P.growth.at(-1)! / TESTS_PER_RUN) * 60_000;

const redisPort = await freePort();
const redisServer = await startRedisServer({ port: redisPort, dataDir: join(work, 'redis') });
const REDIS_URL: string = redisServer.url;
const redis = new Redis(REDIS_URL);
let streamNo = 0;

async function push(stream: string, bodies: readonly string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < bodies.length; i += 20) {
    const pipe = redis.pipeline();
    for (const body of bodies.slice(i, i + 20)) pipe.xadd(stream, '*', 'type', 'run', 'data', body);
    await pipe.exec();
  }
  return (performance.now() - started) / 1000;
}

/**
 * Starts `replicas` ingest processes and waits until they are ready, then pushes the runs (their JSON,
 * `bodies`) and times from the first XADD until every run is stored (process start-up is not counted).
 */
async function drain(databaseUrl: string, bodies: readonly string[], replicas = 1, countRuns: () => Promise<number>, before = 0) {
  const stream = `bench:${++streamNo}`;
  const services: Service[] = [];
  for (let i = 0; i < replicas; i++) {
    services.push(await startBuiltService('ingest', {
      REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: databaseUrl, INGEST_CONSUMER: `bench-${i}`, LOG_LEVEL: 'info',
      INGEST_TRIM_INTERVAL_MS: '1000',
    }));
  }
  let maxLen = 0;
  const started = performance.now();
  const pushed = push(stream, bodies);
  for (;;) {
    maxLen = Math.max(maxLen, await redis.xlen(stream));
    if ((await countRuns()) - before >= bodies.length) break;
    await sleep(10);
  }
  const seconds = (performance.now() - started) / 1000;
  await pushed;
  const rss = Math.max(...services.map((s) => s.peakRssMb()));
  await Promise.all(services.map((s) => s.stop()));
  const left = await redis.xlen(stream);
  await redis.del(stream, `${stream}:events`, `${stream}:dead`);
  return { rowsPerSecond: (bodies.length * TESTS_PER_RUN) / seconds, seconds, peakRssMb: rss, maxStreamLength: maxLen, streamLengthAfter: left };
}

const sqliteCounter = (file: string) => {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  const stmt = db.prepare('SELECT count(*) AS n FROM runs');
  return { count: async () => (stmt.get() as { n: number }).n, close: () => db.close() };
};

async function sqliteIngest(file: string, bodies: readonly string[]) {
  const store = await openDatabase(file);
  await store.close();
  const counter = sqliteCounter(file);
  const before = await counter.count();
  try {
    return await drain(file, bodies, 1, counter.count, before);
  } finally {
    counter.close();
  }
}

/**
 * Folds every stored run into the recorded durations, as a running ingest does every
 * `INGEST_FOLD_SECONDS`: the bulk path writes runs only, and a store that was never folded makes
 * ingest fold its whole history (10M results) while it is being measured. Returns the runs folded.
 */
async function foldDurations(file: string): Promise<number> {
  const store = await openDatabase(file);
  let folded = 0;
  try {
    for (;;) {
      const runs = await foldFinishedRuns(store.db, 'durations', { limit: 500, from: 'start' }, (trx, batch) => foldRunDurations(trx, batch, store.dialect));
      folded += runs.length;
      if (runs.length < 500) break;
      if (folded % 5_000 === 0) say(`${file}: ${folded.toLocaleString()} runs folded into durations`);
    }
    if (store.dialect === 'sqlite') store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    await store.close();
  }
  return folded;
}

/**
 * A cached SQLite file already holding `rows` results (10,000 runs of 1,000 tests = 10M), built by
 * the bulk path and folded as ingest keeps a store (a cache built before the fold is folded once).
 */
async function preloaded(rows: number): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `dataset-${rows}.sqlite`);
  if (existsSync(file)) {
    const folded = await foldDurations(file);
    if (folded > 0) say(`dataset ${rows.toLocaleString()}: folded ${folded.toLocaleString()} runs into durations (once)`);
    return file;
  }
  const smaller = P.growth.filter((n) => n < rows).at(-1);
  const start = smaller ? await preloaded(smaller) : undefined;
  const tmp = `${file}.building`;
  rmSync(tmp, { force: true });
  if (start) copyFileSync(start, tmp);
  const store = await openDatabase(tmp);
  if (store.dialect !== 'sqlite') throw new Error('unreachable');
  store.sqlite.pragma('synchronous = OFF');
  const writer = createRunWriter(store);
  const from = (smaller ?? 0) / TESTS_PER_RUN;
  const to = rows / TESTS_PER_RUN;
  const began = performance.now();
  for (let i = from; i < to; i += 10) {
    const batch = [];
    for (let j = i; j < Math.min(i + 10, to); j++) batch.push({ type: 'run' as const, data: makeRun(j, T0 + j * 60_000) });
    await writer.write(batch);
    if ((i - from) % 1000 === 0) say(`dataset ${rows.toLocaleString()}: ${((i + 10) * TESTS_PER_RUN).toLocaleString()} rows (${round((performance.now() - began) / 1000, 0)} s)`);
  }
  store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();
  await foldDurations(tmp);
  copyFileSync(tmp, file);
  rmSync(tmp, { force: true });
  return file;
}

/** The ingest baseline and every section measured on a store: ingest, growth, HTTP, Postgres, report, reporter, reads, pages. */
async function measureStores(): Promise<void> {
  const runs = Array.from({ length: P.runs }, (_, i) => makeRun(1_000_000 + i, Date.now() + i));
  const rows = runs.length * TESTS_PER_RUN;
  say(`scale ${scale}: ${runs.length} runs of ${TESTS_PER_RUN} tests (${rows.toLocaleString()} rows) per measurement`);

  const baseline = measureRawBaseline(join(work, 'baseline.sqlite'), runs);
  figures.ingest_baseline = { rows_per_second: Math.round(baseline) };
  say(`baseline (raw prepared statement, unindexed, 5,000 rows/tx): ${Math.round(baseline).toLocaleString()} rows/s`);
  const ceiling = await measureSchemaCeiling(join(work, 'ceiling.sqlite'), runs);
  figures.results_schema_ceiling = { rows_per_second: Math.round(ceiling), ratio: round(ceiling / baseline) };
  say(`the same rows into the production results table, raw statement: ${Math.round(ceiling).toLocaleString()} rows/s = ${round(ceiling / baseline)}× baseline`);

  // Each run's JSON, made once before any clock starts: workers serialize their runs on their own
  // machines, so the generator's JSON.stringify (~260 KB a run, hundreds of ms in all) is not ingest's.
  const bodies = runs.map((run) => JSON.stringify(run));
  const empty = await sqliteIngest(join(work, 'empty.sqlite'), bodies);
  figures.ingest_sqlite_empty = {
    rows_per_second: Math.round(empty.rowsPerSecond), ratio: round(empty.rowsPerSecond / baseline), ratio_to_ceiling: round(empty.rowsPerSecond / ceiling),
    target_ratio_to_ceiling: 0.8, peak_rss_mb: round(empty.peakRssMb, 0), target_peak_rss_mb: 200, max_stream_length: empty.maxStreamLength, stream_length_after: empty.streamLengthAfter,
  };
  say(`ingest, empty SQLite: ${Math.round(empty.rowsPerSecond).toLocaleString()} rows/s = ${round(empty.rowsPerSecond / baseline)}× baseline = ${round(empty.rowsPerSecond / ceiling)}× the ceiling; peak RSS ${round(empty.peakRssMb, 0)} MB`);

  const growth: Record<string, unknown>[] = [];
  let largest = '';
  if (want('growth') || want('reads') || want('pages')) {
    let previous = empty.rowsPerSecond;
    for (const n of P.growth) {
      const source = await preloaded(n);
      const copy = join(work, `growth-${n}.sqlite`);
      copyFileSync(source, copy);
      const measured = await sqliteIngest(copy, bodies);
      growth.push({ stored_results: n, rows_per_second: Math.round(measured.rowsPerSecond), ratio_to_baseline: round(measured.rowsPerSecond / baseline), step_ratio: round(measured.rowsPerSecond / previous) });
      say(`ingest with ${n.toLocaleString()} stored: ${Math.round(measured.rowsPerSecond).toLocaleString()} rows/s = ${round(measured.rowsPerSecond / baseline)}× baseline, ${round(measured.rowsPerSecond / previous)}× previous step`);
      previous = measured.rowsPerSecond;
      if (largest) rmSync(largest, { force: true });
      largest = copy;
    }
    figures.ingest_growth = { steps: growth, target_step_ratio: 0.7, target_ratio_at_largest: 0.35 };
  }

  // HTTP path: the same runs through POST /results, four at a time, until stored.
  if (want('http')) {
    const file = join(work, 'http.sqlite');
    const stream = `bench:${++streamNo}`;
    await (await openDatabase(file)).close();
    const port = await freePort();
    const api = await startBuiltService('api', { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: file, API_PORT: String(port), LOG_LEVEL: 'info' });
    const ingest = await startBuiltService('ingest', { REDIS_URL, RESULTS_STREAM: stream, DATABASE_URL: file, LOG_LEVEL: 'info' });
    const counter = sqliteCounter(file);
    const bodies = runs.map((r) => JSON.stringify({ ...r, run_id: `${r.run_id}-http` }));
    const started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`http://127.0.0.1:${port}/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (res.status !== 202) throw new Error(`POST /results answered ${res.status}: ${await res.text()}`);
      }
    }));
    while ((await counter.count()) < runs.length) await sleep(20);
    const seconds = (performance.now() - started) / 1000;
    counter.close();
    await Promise.all([api.stop(), ingest.stop()]);
    await redis.del(stream, `${stream}:events`);
    const rps = rows / seconds;
    figures.http_path = { rows_per_second: Math.round(rps), ratio_to_stream_path: round(rps / empty.rowsPerSecond) };
    say(`HTTP path: ${Math.round(rps).toLocaleString()} rows/s = ${round(rps / empty.rowsPerSecond)}× the stream path`);
  }

  // Postgres: one and three ingest replicas on the same load.
  if (want('postgres')) try {
    const admin: string = await ensurePostgres();
    const pgFigures: Record<string, unknown> = {};
    for (const replicas of [1, 3]) {
      const name = `pp_bench_${process.pid}_${replicas}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      const url = new URL(admin);
      url.pathname = `/${name}`;
      const store = await openDatabase(url.toString());
      const count = async () => Number((await store.db.selectFrom('runs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const measured = await drain(url.toString(), bodies, replicas, count);
      await store.close();
      const dropper = new pg.Client({ connectionString: admin });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
      pgFigures[`replicas_${replicas}`] = { rows_per_second: Math.round(measured.rowsPerSecond), ratio_to_sqlite: round(measured.rowsPerSecond / empty.rowsPerSecond), ratio_to_baseline: round(measured.rowsPerSecond / baseline) };
      say(`ingest, Postgres, ${replicas} replica(s): ${Math.round(measured.rowsPerSecond).toLocaleString()} rows/s = ${round(measured.rowsPerSecond / empty.rowsPerSecond)}× SQLite`);
    }
    figures.ingest_postgres = pgFigures;
  } catch (error) {
    figures.ingest_postgres = { error: (error as Error).message };
    say(`Postgres skipped: ${(error as Error).message}`);
  }

  if (want('report')) figures.report_render = await measureReportRender(REDIS_URL, say);
  if (want('reporter')) {
    try {
      figures.reporter_cost = measureReporterCost(REDIS_URL, say, P.reporter);
    } catch (error) {
      figures.reporter_cost = { error: (error as Error).message };
    }
  }

  // Read latency on the largest dataset while ingest runs at full speed.
  if (want('reads')) figures.read_latency = await measureReads({
    databaseFile: largest,
    redisUrl: REDIS_URL,
    storedResults: P.growth.at(-1)!,
    seconds: P.readSeconds,
    feed: runs,
    say,
  });

  // Every page of the MCP HTTP service on the same store, one client, nothing else running.
  if (want('pages')) {
    try {
      figures.pages = await measurePages({ databaseFile: largest, redisUrl: REDIS_URL, storedResults: P.growth.at(-1)!, seconds: P.readSeconds, say });
    } catch (error) {
      figures.pages = { error: (error as Error).message };
      say(`pages skipped: ${(error as Error).message}`);
    }
  }
}

try {
  if (want('sharding')) {
    try {
      figures.sharding = await measureSharding(REDIS_URL, P.sharding, say);
    } catch (error) {
      figures.sharding = { error: (error as Error).message };
      say(`sharding skipped: ${(error as Error).message}`);
    }
  }
  if (!only || only.some((section) => section !== 'sharding')) await measureStores();
} finally {
  redis.disconnect();
  await redisServer.stop();
  rmSync(work, { recursive: true, force: true });
}

results.finished_at = new Date().toISOString();
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
const latest = join(repoRoot, 'bench/results/latest.json');
// A partial run (BENCH_ONLY) replaces its own figures in the last run of the same scale and keeps the others.
const previous = only && existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as typeof results) : null;
if (previous?.scale === scale) results.figures = { ...(previous.figures as Record<string, unknown>), ...figures };
writeFileSync(latest, JSON.stringify(results, null, 2) + '\n');
say('wrote bench/results/latest.json');
console.log(JSON.stringify(figures, null, 2));
