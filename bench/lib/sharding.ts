import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { planShards } from '@pytest-platform/reporter';
import { parseEntry, redisKeyFor } from '@pytest-platform/schema';
import type { RunResult } from '@pytest-platform/schema';
import { repoRoot } from './processes.js';
import { round } from './stats.js';

/**
 * Splitting a suite by recorded durations (`--platform-shard`) against splitting it by count (what
 * runners do without data), two ways:
 * - planned: a generated pytest suite of `files` files whose tests sleep known, long-tailed times
 *   (lognormal, fixed seed) is run once with the plugin; the per-file durations of that recorded run
 *   (the sum of its tests', as ingest records them) are split for N = 2, 4, 8, and the longest
 *   shard ÷ (total ÷ N) is reported for both splits;
 * - wall time: N real pytest processes side by side (`--platform-shard k/N`) over a smaller fixture
 *   suite whose known sleeps are published as its durations, by duration and by count (no record),
 *   each checked to run every test exactly once and to keep the files `planShards` gives; next to the
 *   same N processes with the sleeps off (start-up and collection alone, which a 2-core machine
 *   running 8 processes pays in full).
 */
export interface ShardingScale {
  files: number;
  /** Seconds all tests of the recorded suite sleep together. */
  totalSleep: number;
  /** Files and seconds of sleep of the wall-time suite. */
  wallFiles: number;
  wallSleep: number;
  /** Repetitions of each wall-time measurement (the median is kept). */
  wallReps: number;
}

const SHARDS = [2, 4, 8] as const;
const PROJECT = 'bench-sharding';

/** A small fixed-seed generator (mulberry32), so every run of the bench splits the same suite. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes a suite of `files` files sleeping `totalSleep` seconds in all; returns the seconds each file sleeps. */
function writeSuite(root: string, files: number, totalSleep: number, seed: number): Map<string, number> {
  const next = random(seed);
  const weights = Array.from({ length: files }, () => Math.exp(Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())));
  const sum = weights.reduce((a, b) => a + b, 0);
  const sleeps = new Map<string, number>();
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'pytest.ini'), '[pytest]\naddopts = -p no:cacheprovider\n');
  weights.forEach((weight, i) => {
    const file = `test_${String(i).padStart(3, '0')}.py`;
    const seconds = Math.max(0.005, (weight / sum) * totalSleep);
    const tests = 1 + (i % 4);
    const body = Array.from({ length: tests }, (_, t) => `def test_${t}():\n    time.sleep(${round(seconds / tests, 4)} * SCALE)\n`).join('\n');
    // BENCH_SLEEP_SCALE=0: the same processes without the sleeps, the start-up and collection overhead alone.
    writeFileSync(join(root, file), `import os\nimport time\n\nSCALE = float(os.environ.get('BENCH_SLEEP_SCALE', '1'))\n\n${body}`);
    sleeps.set(file, seconds);
  });
  return sleeps;
}

/** The runs on `stream`, each validated. */
async function runsOn(redis: Redis, stream: string): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const [, fields] of await redis.xrange(stream, '-', '+')) {
    const parsed = parseEntry(fields[1], fields[3]);
    if (!parsed.ok || parsed.entry.type !== 'run') throw new Error(`unexpected entry on ${stream}`);
    runs.push(parsed.entry.data);
  }
  return runs;
}

/** Runs `count` pytest processes side by side; resolves with the seconds until the last one exited. */
async function sideBySide(python: string, suite: string, count: number, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => new Promise<void>((resolve, reject) => {
    const proc = spawn(python, ['-m', 'pytest', '-q', '--platform-no-live', '--platform-shard', `${i + 1}/${count}`], { cwd: suite, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pytest shard ${i + 1}/${count} exited ${code}: ${stderr}`))));
  })));
  return (performance.now() - started) / 1000;
}

/** The longest shard ÷ (total ÷ N), by `seconds` of each file. */
function imbalance(shards: readonly string[][], seconds: ReadonlyMap<string, number>): number {
  const loads = shards.map((files) => files.reduce((sum, file) => sum + (seconds.get(file) ?? 0), 0));
  const total = loads.reduce((a, b) => a + b, 0);
  return Math.max(...loads) / (total / shards.length);
}

interface WallContext {
  python: string;
  suite: string;
  sleeps: ReadonlyMap<string, number>;
  tests: number;
  redis: Redis;
  stream: () => string;
  env: (extra: Record<string, string>) => Record<string, string>;
}

/** Runs N processes over the wall suite split as `plan` says (the durations published when `durations` is given) and checks what ran. */
async function timedSplit(n: number, c: WallContext, plan: string[][], durations: Record<string, number> | null, sleepScale = '1'): Promise<number> {
  const key = c.stream();
  // The durations as ingest publishes them; without them the plugin splits by count on its own.
  const project = durations ? PROJECT : `${PROJECT}-no-record`;
  if (durations) await c.redis.set(redisKeyFor('durations', key, project), JSON.stringify({ project, updated_at: new Date().toISOString(), tests: {}, files: durations }));
  const seconds = await sideBySide(c.python, c.suite, n, c.env({ RESULTS_STREAM: key, PROJECT: project, BENCH_SLEEP_SCALE: sleepScale }));
  const runs = await runsOn(c.redis, key);
  await c.redis.del(key, redisKeyFor('durations', key, project));
  const ran = runs.flatMap((run) => run.tests.map((t) => t.nodeid));
  if (ran.length !== c.tests || new Set(ran).size !== ran.length) throw new Error(`N=${n}: ${ran.length} tests ran, ${new Set(ran).size} distinct, of ${c.tests}`);
  const chosen = runs.map((run) => [...new Set(run.tests.map((t) => t.file!))].sort()).filter((shard) => shard.length > 0).sort();
  const planned = plan.map((shard) => [...shard].sort()).filter((shard) => shard.length > 0).sort();
  if (JSON.stringify(chosen) !== JSON.stringify(planned)) throw new Error(`N=${n}: the plugin's shards differ from planShards'`);
  return seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** N real processes side by side, split by the known sleeps, by count, and by count with the sleeps off; each the median of `reps`. */
async function measureWall(n: number, c: WallContext, reps: number) {
  const durations = Object.fromEntries(c.sleeps);
  const files = [...c.sleeps.keys()];
  const byDuration = planShards(files, durations, n);
  const byCount = planShards(files, {}, n);
  const times: Record<'by_duration' | 'by_count' | 'sleeps_off', number[]> = { by_duration: [], by_count: [], sleeps_off: [] };
  for (let rep = 0; rep < reps; rep++) {
    times.by_count.push(await timedSplit(n, c, byCount, null));
    times.by_duration.push(await timedSplit(n, c, byDuration, durations));
    times.sleeps_off.push(await timedSplit(n, c, byCount, null, '0'));
  }
  const [wallByDuration, wallByCount, overhead] = [median(times.by_duration), median(times.by_count), median(times.sleeps_off)];
  const ideal = [...c.sleeps.values()].reduce((a, b) => a + b, 0) / n;
  return {
    seconds: { by_duration: round(wallByDuration), by_count: round(wallByCount), sleeps_off: round(overhead), ideal: round(ideal) },
    /** (wall − the same processes with the sleeps off) ÷ (total sleep ÷ N). */
    over_ideal: { by_duration: round((wallByDuration - overhead) / ideal), by_count: round((wallByCount - overhead) / ideal) },
    /** What splitting by duration saves: wall by count ÷ wall by duration. */
    count_over_duration: round(wallByCount / wallByDuration),
  };
}

export async function measureSharding(redisUrl: string, scale: ShardingScale, say: (line: string) => void): Promise<Record<string, unknown>> {
  const python = join(repoRoot, 'shared/pytest-plugin/.venv/bin/python');
  if (!existsSync(python)) execFileSync('bash', ['shared/pytest-plugin/scripts/setup-venv.sh'], { cwd: repoRoot, stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'pp-bench-sharding-'));
  const redis = new Redis(redisUrl);
  let streams = 0;
  const stream = () => `bench:sharding:${process.pid}:${++streams}`;
  const env = (extra: Record<string, string>) => ({
    PATH: process.env.PATH ?? '', HOME: work, REDIS_URL: redisUrl, PYTEST_PLATFORM_QUIET: '1', PYTEST_PLATFORM_SPOOL_DIR: join(work, 'spool'), PYTHONDONTWRITEBYTECODE: '1', ...extra,
  });
  const loadBefore = loadavg()[0]!;
  try {
    const suite = join(work, 'recorded');
    const files = [...writeSuite(suite, scale.files, scale.totalSleep, 16).keys()];
    const recording = stream();
    execFileSync(python, ['-m', 'pytest', '-q', '--platform-no-live'], { cwd: suite, env: env({ RESULTS_STREAM: recording, PROJECT }), stdio: 'ignore' });
    const [recorded] = await runsOn(redis, recording);
    await redis.del(recording);
    const fileSeconds = new Map<string, number>();
    for (const test of recorded!.tests) fileSeconds.set(test.file!, (fileSeconds.get(test.file!) ?? 0) + test.duration);
    const total = [...fileSeconds.values()].reduce((a, b) => a + b, 0);
    say(`sharding: ${files.length} files, ${recorded!.tests.length} tests, ${round(total, 1)} s recorded (${scale.totalSleep} s of sleeps)`);

    const wallSuite = join(work, 'wall');
    const sleeps = writeSuite(wallSuite, scale.wallFiles, scale.wallSleep, 61);
    const wallTests = [...sleeps.keys()].reduce((sum, _file, i) => sum + 1 + (i % 4), 0);
    const splits: Record<string, unknown>[] = [];
    for (const n of SHARDS) {
      const durations = Object.fromEntries(fileSeconds);
      const planned = { by_duration: round(imbalance(planShards(files, durations, n), fileSeconds), 3), by_count: round(imbalance(planShards(files, {}, n), fileSeconds), 3), target_by_duration: 1.05 };
      const wall = await measureWall(n, { python, suite: wallSuite, sleeps, tests: wallTests, redis, stream, env }, scale.wallReps);
      splits.push({ shards: n, longest_over_mean: planned, wall });
      say(`sharding N=${n}: longest shard ÷ mean ${planned.by_duration} by duration, ${planned.by_count} by count; wall ${wall.seconds.by_duration} s by duration, ${wall.seconds.by_count} s by count, ${wall.seconds.sleeps_off} s with the sleeps off (ideal ${wall.seconds.ideal} s)`);
    }
    return {
      files: files.length, tests: recorded!.tests.length, recorded_seconds: round(total, 2),
      wall_suite: { files: sleeps.size, tests: wallTests, sleep_seconds: scale.wallSleep, repetitions: scale.wallReps },
      // Wall times are only as good as the machine is quiet: the load average while they were taken.
      load_average: { before: round(loadBefore), after: round(loadavg()[0]!) },
      splits,
    };
  } finally {
    redis.disconnect();
    rmSync(work, { recursive: true, force: true });
  }
}
