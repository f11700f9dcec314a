import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Store } from '@pytest-platform/db';
import { repoRoot } from '../test-support/services.js';
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
  let output = '';
  let partial = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) runs.push(JSON.parse(line) as ProducedRun);
  });
  proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc, spoolDir, runs,
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

/** Number of rows in `runs`. */
/** The exact reconciliation every scenario ends with: nothing lost, nothing extra, every count equal. */
export function expectExact(result: Reconciliation, runsProduced: number): void {
  expect(result.lost).toEqual([]);
  expect(result.extra).toEqual([]);
  expect(result.mismatched).toEqual([]);
  expect(result.stored).toBe(runsProduced);
  expect(result.storedTotal).toBe(result.expectedResults);
  expect(result.resultRows).toBe(result.expectedResults);
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
