import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Store } from '@pytest-platform/db';
import { repoRoot, type RunningService } from '../test-support/services.js';
import { waitFor } from '../test-support/wait-for.js';
export { waitFor } from '../test-support/wait-for.js';
import { expect } from 'vitest';

export const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

/** One run a producer finished, as it reported it. */
interface ProducedRun {
  run_id: string;
  total: number;
  sent: number;
  spooled: number;
  flushed: number;
}

export interface Producer {
  proc: ChildProcess;
  spoolDir: string;
  runs: ProducedRun[];
  /** The run_id of every run it started, finished or not. */
  started: string[];
  output(): string;
  /** Closes stdin: the producer finishes the run in hand and exits. Resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** A temp directory removed by `cleanup`. */
export function tempDir(prefix = 'pp-faults-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}


/** Starts `faults/producer.ts` as a real process: a test worker sending runs through the Node collector. */
export function startProducer(env: Record<string, string>, spoolDir: string): Producer {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@pytest-platform/source', 'faults/producer.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PYTEST_PLATFORM_SPOOL_DIR: spoolDir,
      PYTEST_PLATFORM_STOP_TIMEOUT: '10', ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const runs: ProducedRun[] = [];
  const started: string[] = [];
  let output = '';
  let partial = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const parsed = JSON.parse(line) as ProducedRun | { started: string };
      if ('started' in parsed) started.push(parsed.started);
      else runs.push(parsed);
    }
  });
  proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc, spoolDir, runs, started,
    output: () => output,
    stop() {
      proc.stdin?.end();
      return exited;
    },
  };
}

export interface Reconciliation {
  produced: number;
  stored: number;
  /** Produced runs with no row in `runs`. */
  lost: string[];
  /** Rows in `runs` no producer made. */
  extra: string[];
  /** Runs whose stored `total` or number of `results` rows differs from what was produced. */
  mismatched: { run_id: string; produced: number; total: number; results: number }[];
  expectedResults: number;
  /** Sum of `runs.total`. */
  storedTotal: number;
  /** `count(*)` of `results`. */
  resultRows: number;
}

/**
 * Compares what producers made with what the store holds: the set of run_ids, each run's total
 * and its number of result rows, the sum of totals and the count of results rows.
 */
export async function reconcile(store: Store, produced: readonly { run_id: string; total: number }[]): Promise<Reconciliation> {
  const rows = await store.db
    .selectFrom('runs')
    .leftJoin('results', 'results.run_id', 'runs.id')
    .select(['runs.run_id', 'runs.total', (eb) => eb.fn.count('results.test_id').as('results')])
    .groupBy(['runs.id', 'runs.run_id', 'runs.total'])
    .execute();
  const stored = new Map(rows.map((r) => [r.run_id, { total: Number(r.total), results: Number(r.results) }]));
  const wanted = new Map(produced.map((r) => [r.run_id, r.total]));
  const resultRows = Number(
    (await sql<{ n: number | string }>`select count(*) as n from results`.execute(store.db)).rows[0]?.n ?? 0,
  );
  return {
    produced: wanted.size,
    stored: stored.size,
    lost: [...wanted.keys()].filter((id) => !stored.has(id)),
    extra: [...stored.keys()].filter((id) => !wanted.has(id)),
    mismatched: [...wanted].flatMap(([run_id, total]) => {
      const s = stored.get(run_id);
      return s && (s.total !== total || s.results !== total) ? [{ run_id, produced: total, total: s.total, results: s.results }] : [];
    }),
    expectedResults: [...wanted.values()].reduce((a, b) => a + b, 0),
    storedTotal: rows.reduce((a, r) => a + Number(r.total), 0),
    resultRows,
  };
}

/** The exact reconciliation every scenario ends with: nothing lost, nothing extra, every count equal. */
export function expectExact(result: Reconciliation, runsProduced: number): void {
  expect(result.lost).toEqual([]);
  expect(result.extra).toEqual([]);
  expect(result.mismatched).toEqual([]);
  expect(result.stored).toBe(runsProduced);
  expect(result.storedTotal).toBe(result.expectedResults);
  expect(result.resultRows).toBe(result.expectedResults);
}

/** The standard figures of a reconciliation, as each scenario's JSON records them. */
export const reconciliationFigures = (result: Reconciliation) => ({
  runs_produced: result.produced, runs_stored: result.stored, runs_lost: result.lost.length, extra_runs: result.extra.length,
  mismatched_runs: result.mismatched.length, result_rows: result.resultRows, expected_result_rows: result.expectedResults,
});

/** Each stored run's status, `total` and number of `results` rows, by run_id. */
export async function runStates(store: Store, runIds: readonly string[]): Promise<Map<string, { status: string; total: number; results: number }>> {
  if (runIds.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('runs')
    .leftJoin('results', 'results.run_id', 'runs.id')
    .select(['runs.run_id', 'runs.status', 'runs.total', (eb) => eb.fn.count('results.test_id').as('results')])
    .where('runs.run_id', 'in', [...runIds])
    .groupBy(['runs.id', 'runs.run_id', 'runs.status', 'runs.total'])
    .execute();
  return new Map(rows.map((r) => [r.run_id, { status: r.status, total: Number(r.total), results: Number(r.results) }]));
}

/** Number of rows in `runs`. */
/**
 * SIGKILLs `service` (ingest) at a moment it holds entries it read and has not acknowledged: it is
 * frozen (SIGSTOP) to look, and let go on (SIGCONT) when it held none, so the kill never races an
 * acknowledgement. Resolves with how many entries it held.
 */
export async function killWhileHolding(service: RunningService, held: () => Promise<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    await waitFor('ingest to hold unacknowledged entries', async () => (await held()) > 0, 30_000, 5);
    service.proc.kill('SIGSTOP');
    const holding = await held();
    if (holding > 0) {
      await service.stop('SIGKILL');
      return holding;
    }
    service.proc.kill('SIGCONT');
  }
  throw new Error('ingest never held unacknowledged entries while frozen');
}

export async function countRuns(store: Store): Promise<number> {
  return Number((await store.db.selectFrom('runs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

/** Writes one scenario's measured figures to `faults/results/<scenario>.json` (merged into latest.json after the run). */
export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${scenario}.json`);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures }, null, 2)}\n`);
  renameSync(temp, file);
}

/** Sums the `count` of every log line with message `msg` in a service's JSON output. */
export function sumLogged(output: string, msg: string, field = 'count'): number {
  let sum = 0;
  for (const line of output.split('\n')) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    try {
      sum += Number((JSON.parse(line) as Record<string, unknown>)[field] ?? 0);
    } catch {
      // a partial line
    }
  }
  return sum;
}

/** Lines of a service's JSON output whose message is `msg`. */
export const countLogged = (output: string, msg: string) => output.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
