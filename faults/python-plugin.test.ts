import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@pytest-platform/db';
import { INGEST_GROUP } from '@pytest-platform/schema';
import { randomStream } from '../test-support/runs.js';
import { repoRoot, startService, type RunningService } from '../test-support/services.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { countRuns, expectExact, reconcile, reconciliationFigures, recordFigures, tempDir, waitFor } from './support.js';

// The Python plugin as a producer during Redis outages: two workers run real pytest sessions (the
// plugin's venv, a small generated suite, live mode as the plugin's default) back to back while Redis
// (its own, appendfsync always) is stopped (SIGTERM) and later killed (SIGKILL), and started again
// each time. Sessions spool while Redis is down; the next session flushes the spool, and the spool
// of a worker that stopped during the outage is sent by `python -m pytest_platform flush`.
const run = promisify(execFile);
const python = join(repoRoot, 'shared/pytest-plugin/.venv/bin/python');
const TOTAL = 12;
const stream = randomStream('faults-python');
const dir = tempDir();
const suite = join(dir.path, 'suite');
const dbFile = join(dir.path, 'faults.sqlite');
let server: PrivateRedis | undefined;
let store: Store;
let ingest: RunningService | undefined;
const loops: SessionLoop[] = [];

interface Session { run_id: string; total: number; spooled: boolean; code: number | null; signal: string | null; output: string }

/** A worker running pytest sessions one after another until stopped; each session's end line tells its run id and fate. */
interface SessionLoop {
  spoolDir: string;
  sessions: Session[];
  /** Sessions that printed no end line (must stay empty). */
  silent: string[];
  stop(): Promise<void>;
}

function writeSuite(): void {
  mkdirSync(suite, { recursive: true });
  writeFileSync(join(suite, 'test_gen_ok.py'), 'import pytest\n\n\n@pytest.mark.parametrize("i", range(8))\ndef test_ok(i):\n    assert i >= 0\n');
  writeFileSync(join(suite, 'test_gen_mixed.py'), [
    'import pytest', '', '',
    'def test_fails():\n    assert 404 == 200', '',
    'def test_fails_too():\n    raise ValueError("<b>not html</b>")', '',
    // Fixture content: every outcome the plugin reports, a skip included, must survive the outage.
    '@pytest.mark.skip(reason="not today")\ndef test_skipped():\n    pass', '',
    '@pytest.mark.xfail(reason="known")\ndef test_xfail():\n    assert False', '',
  ].join('\n'));
}

const END_LINE = /^pytest-platform: run ([0-9a-f-]{36}) · .*$/m;

function sessionLoop(worker: string): SessionLoop {
  const spoolDir = join(dir.path, `spool-${worker}`);
  const sessions: Session[] = [];
  const silent: string[] = [];
  let stopping = false;
  const env = {
    PATH: process.env.PATH ?? '', HOME: dir.path, REDIS_URL: server!.url, RESULTS_STREAM: stream, PROJECT: 'faults-python',
    BRANCH: 'main', WORKER_ID: worker, PYTEST_PLATFORM_SPOOL_DIR: spoolDir,
  };
  const once = () => new Promise<void>((resolve) => {
    const proc = spawn(python, ['-m', 'pytest', suite, '-q', '-p', 'no:cacheprovider'], { cwd: dir.path, env });
    let stderr = '';
    let stdout = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.once('exit', (code, signal) => {
      const line = END_LINE.exec(stderr);
      // pytest's exit code 1: tests failed, as the suite's do; the plugin must never change it.
      const output = code === 1 ? '' : `${stdout}\n${stderr}`;
      if (line) sessions.push({ run_id: line[1]!, total: TOTAL, spooled: line[0].includes('not sent'), code, signal, output });
      else silent.push(stderr);
      resolve();
    });
  });
  const done = (async () => {
    while (!stopping) await once();
  })();
  return {
    spoolDir, sessions, silent,
    stop: async () => {
      stopping = true;
      await done;
    },
  };
}

const spoolFiles = (path: string) => {
  try {
    return readdirSync(path).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
};
const sentCount = (loop: SessionLoop, from = 0) => loop.sessions.slice(from).filter((s) => !s.spooled).length;
const spooledCount = (loop: SessionLoop, from = 0) => loop.sessions.slice(from).filter((s) => s.spooled).length;

beforeAll(async () => {
  writeSuite();
  server = await startPrivateRedis(join(dir.path, 'redis'), 'always');
  store = await openDatabase(dbFile);
});

afterAll(async () => {
  await Promise.all(loops.map((l) => l.stop()));
  await ingest?.stop('SIGKILL');
  await store?.close();
  await server?.stop();
  dir.cleanup();
});

/** Takes Redis down with `signal` until every loop in `loops` spooled two sessions, then starts it again from its AOF. */
async function outage(signal: 'SIGTERM' | 'SIGKILL', during: SessionLoop[], beforeRestart: () => Promise<void> = async () => {}) {
  await server!.kill(signal);
  const at = during.map((l) => l.sessions.length);
  await waitFor('sessions to spool while Redis is down', () => during.every((l, i) => spooledCount(l, at[i]) >= 2), 90_000, 100);
  await beforeRestart();
  await server!.restart();
}

/** The next session after a restart sends its own run and flushes what earlier ones spooled. */
const flushedByNextSession = (loop: SessionLoop) => {
  const at = loop.sessions.length;
  return waitFor('a session to send again and empty the spool', () => sentCount(loop, at) >= 1 && spoolFiles(loop.spoolDir).length === 0, 90_000, 100);
};

describe('the Python plugin during Redis outages', () => {
  it('spools sessions while Redis is down, flushes them with the next session or the flush command, and stores each once', { timeout: 180_000 }, async () => {
    ingest = await startService('ingest', {
      REDIS_URL: server!.url, RESULTS_STREAM: stream, DATABASE_URL: dbFile, INGEST_BATCH_SIZE: '20', INGEST_BLOCK_MS: '100', LOG_LEVEL: 'info',
    });
    const [first, second] = [sessionLoop('py-1'), sessionLoop('py-2')];
    loops.push(first, second);
    await waitFor('sessions to send runs', () => sentCount(first) >= 1 && sentCount(second) >= 1, 90_000, 100);

    // Outage 1, a clean stop: the second worker's job ends during it, so only the flush command sends its spool.
    await outage('SIGTERM', [first, second], () => second.stop());
    const spooledBySecond = spoolFiles(second.spoolDir).length;
    await flushedByNextSession(first);
    const { stdout } = await run(python, ['-m', 'pytest_platform', 'flush'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir.path, REDIS_URL: server!.url, RESULTS_STREAM: stream, PYTEST_PLATFORM_SPOOL_DIR: second.spoolDir },
    });
    const flushedByCommand = Number(/^sent (\d+) runs? from /m.exec(stdout)?.[1] ?? NaN);

    // Outage 2, a crash.
    await outage('SIGKILL', [first]);
    await flushedByNextSession(first);
    await first.stop();

    const sessions = loops.flatMap((l) => l.sessions);
    await waitFor('every session stored', async () => (await countRuns(store)) >= sessions.length, 60_000, 200);
    const redis = new Redis(server!.url);
    try {
      await waitFor('nothing pending', async () => Number(((await redis.xpending(stream, INGEST_GROUP)) as [number])[0]) === 0, 30_000, 200);
      const result = await reconcile(store, sessions);
      const deadLetters = await redis.xlen(`${stream}:dead`);
      recordFigures('python-plugin', {
        store: 'sqlite', producers: 'pytest sessions of the plugin (live mode), 2 workers', redis: 'its own redis-server, AOF appendfsync always',
        faults_injected: 2, fault: 'Redis stopped (SIGTERM), later killed (SIGKILL), each time started again from its AOF, during pytest sessions',
        ...reconciliationFigures(result), sessions: sessions.length, sessions_sent: sessions.filter((s) => !s.spooled).length,
        sessions_spooled: sessions.filter((s) => s.spooled).length, spooled_runs_sent_by_flush_command: flushedByCommand,
        sessions_without_end_line: loops.reduce((n, l) => n + l.silent.length, 0), dead_letters: deadLetters,
      });

      expect(loops.flatMap((l) => l.silent)).toEqual([]);
      expect(sessions.filter((s) => s.code !== 1).map(({ code, signal, output }) => ({ code, signal, output }))).toEqual([]);
      expect(spooledBySecond).toBeGreaterThanOrEqual(2);
      expect(flushedByCommand).toBe(spooledBySecond);
      for (const loop of loops) expect(spoolFiles(loop.spoolDir)).toEqual([]);
      expectExact(result, sessions.length);
      expect(deadLetters).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
