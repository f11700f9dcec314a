import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import path from 'node:path';
import { redisKeyFor } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDurations, parseQuarantine, parseTimeMs } from '../src/published-lists.js';
import { parseShardSpec, planShards } from '../src/shard-plan.js';
import { REDIS_URL, buildPackage, cliPath, newRedis, randomStream, repoRoot, run, tempDir } from './helpers.js';

interface ShardingCase { name: string; total: number; items: string[]; durations: Record<string, unknown>; expected: string[][] }
interface Published {
  now: string;
  quarantine: { name: string; text: string | null; expected: 'invalid' | Record<string, unknown> }[];
  durations: { name: string; text: string | null; expected: 'invalid' | 'missing' | { tests: Record<string, number>; files: Record<string, number> } }[];
  keys: { kind: 'quarantine' | 'durations' | 'durationsSnapshot'; stream: string; project: string; build: string | null; key: string }[];
}

const fixtures = path.join(repoRoot, 'shared/schema/fixtures');
const sharding = JSON.parse(readFileSync(path.join(fixtures, 'sharding.json'), 'utf8')) as { cases: ShardingCase[] };
const published = JSON.parse(readFileSync(path.join(fixtures, 'published-lists.json'), 'utf8')) as Published;
const python = path.join(repoRoot, 'shared/pytest-plugin/.venv/bin/python');

describe('the packing, as the pytest plugin packs (shared/schema/fixtures/sharding.json)', () => {
  test.each(sharding.cases)('$name', (fixture) => {
    const shards = planShards(fixture.items, fixture.durations, fixture.total);
    expect(shards).toEqual(fixture.expected);
    expect(shards.flat().sort()).toEqual([...new Set(fixture.items)].sort());
  });

  test('the order the names come in does not matter', () => {
    const fixture = sharding.cases.find((c) => c.name.startsWith('60 files') && c.total === 8)!;
    expect(planShards([...fixture.items].reverse(), fixture.durations, 8)).toEqual(fixture.expected);
  });

  test('K/N: 1 ≤ K ≤ N ≤ 999999', () => {
    expect(parseShardSpec(' 2 / 4 ')).toEqual({ index: 2, total: 4 });
    expect(parseShardSpec('1/1')).toEqual({ index: 1, total: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '1/1000000', '1', 'a/b', '1/2/3', '-1/2', '']) expect(parseShardSpec(bad), bad).toBeNull();
  });
});

describe('reading what the platform publishes, as the pytest plugin reads it (shared/schema/fixtures/published-lists.json)', () => {
  const now = parseTimeMs(published.now)!;
  test.each(published.quarantine)('quarantine: $name', ({ text, expected }) => {
    if (expected === 'invalid') expect(() => parseQuarantine(text, now)).toThrow();
    else expect(Object.fromEntries(parseQuarantine(text, now))).toEqual(expected);
  });

  test.each(published.durations)('durations: $name', ({ text, expected }) => {
    if (expected === 'invalid') expect(() => parseDurations(text)).toThrow();
    else expect(parseDurations(text)).toEqual(expected === 'missing' ? null : expected);
  });

  test.each(published.keys)('key $key', ({ kind, stream, project, build, key }) => {
    expect(redisKeyFor(kind, stream, project, build ?? '')).toBe(key);
  });
});

describe('pytest-platform shard', () => {
  const redis = newRedis();
  const stream = randomStream();
  let dir = '';
  const files = ['src/a.test.ts', 'src/b.test.ts', 'src/c.test.ts', 'src/deep/d.test.ts', 'src/deep/e.test.ts', 'src/ü.test.ts', 'other/f.test.ts'];
  const recorded = { 'src/a.test.ts': 12, 'src/b.test.ts': 1.5, 'src/deep/d.test.ts': 7, 'other/f.test.ts': 3.25 };
  const durationsKey = redisKeyFor('durations', stream, 'shop');

  beforeAll(async () => {
    buildPackage();
    dir = await tempDir();
    for (const file of [...files, 'src/readme.md']) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), '');
    }
    await redis.set(durationsKey, JSON.stringify({ project: 'shop', updated_at: new Date().toISOString(), tests: { 'src/a.test.ts::x': 2 }, files: recorded }));
  }, 120_000);
  afterAll(async () => {
    const keys = await redis.keys(`${stream}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const shard = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [cliPath, 'shard', ...args], { cwd: dir, env: { REDIS_URL, RESULTS_STREAM: stream, PROJECT: 'shop', ...env } });

  test('prints shard K\'s files, one a line, packed by the recorded durations; the N shards hold every file once', async () => {
    const expected = planShards(files, recorded, 3);
    const printed: string[][] = [];
    for (const k of [1, 2, 3]) {
      const result = await shard([`${k}/3`, 'src/**/*.test.ts', './other/f.test.ts']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      printed.push(result.stdout.split('\n').filter(Boolean));
      expect(result.stdout).toBe(`${expected[k - 1]!.join('\n')}\n`);
    }
    expect(printed.flat().sort()).toEqual([...files].sort());
    // a 12, d 7, c e ü 5.125 (the median), f 3.25, b 1.5: a; d ü; c e f; then b to the first (12 against 12.125 and 13.5)
    expect(printed).toEqual([['src/a.test.ts', 'src/b.test.ts'], ['src/deep/d.test.ts', 'src/ü.test.ts'], ['src/c.test.ts', 'src/deep/e.test.ts', 'other/f.test.ts'].sort()]);
  });

  test('byte for byte what the pytest plugin\'s packing gives for the same names and record', async () => {
    const code = 'import json,sys; from pytest_platform.sharding import plan_shards; a=json.load(sys.stdin); sys.stdout.write("\\n".join(plan_shards(a["items"], a["durations"], a["total"])[a["k"] - 1]) + "\\n")';
    for (const k of [1, 2, 3, 4]) {
      const fromPython = execFileSync(python, ['-c', code], { input: JSON.stringify({ items: files, durations: recorded, total: 4, k }), encoding: 'utf8' });
      expect((await shard([`${k}/4`, ...files])).stdout).toBe(fromPython);
    }
  });

  test('--by test splits test ids by their own records; --project picks the record', async () => {
    await redis.set(redisKeyFor('durations', stream, 'other-project'), JSON.stringify({ tests: { 't.py::a': 5, 't.py::b': 4, 't.py::c': 1 }, files: {} }));
    const ids = ['t.py::a', 't.py::b', 't.py::c', 't.py::d'];
    const one = await shard(['1/2', '--by', 'test', '--project', 'other-project', ...ids]);
    const two = await shard(['2/2', '--by', 'test', '--project', 'other-project', ...ids]);
    expect(one.stdout).toBe('t.py::a\nt.py::c\n'); // a 5, b 4, d 4 (the median), c 1
    expect(two.stdout).toBe('t.py::b\nt.py::d\n');
  });

  test('the shards of one build split by the first one\'s copy of the record, while the record changes', async () => {
    const env = { PYTEST_PLATFORM_BUILD_ID: 'ci-77' };
    const first = await shard(['1/2', ...files], env);
    const changed = { 'src/c.test.ts': 50, 'src/ü.test.ts': 40 };
    expect(planShards(files, changed, 2)).not.toEqual(planShards(files, recorded, 2));
    await redis.set(durationsKey, JSON.stringify({ tests: {}, files: changed }));
    try {
      const second = await shard(['2/2', ...files], env);
      expect([first.stdout, second.stdout]).toEqual(planShards(files, recorded, 2).map((names) => `${names.join('\n')}\n`));
      const nextBuild = await shard(['2/2', ...files], { PYTEST_PLATFORM_BUILD_ID: 'ci-78' });
      expect(nextBuild.stdout).toBe(`${planShards(files, changed, 2)[1]!.join('\n')}\n`);
      expect(await redis.ttl(redisKeyFor('durationsSnapshot', stream, 'shop', 'ci-77'))).toBeGreaterThan(0);
    } finally {
      await redis.set(durationsKey, JSON.stringify({ tests: {}, files: recorded }));
    }
  });

  test('no record, Redis unreachable or silent: split by count, with one line saying why', async () => {
    const byCount = `${planShards(files, {}, 2)[0]!.join('\n')}\n`;
    const none = await shard(['1/2', ...files], { PROJECT: 'never-recorded' });
    expect(none.stdout).toBe(byCount);
    expect(none.stderr).toBe('pytest-platform: no recorded durations for project never-recorded yet: shards are split by count\n');
    const down = await shard(['1/2', ...files], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.stdout).toBe(byCount);
    expect(down.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^pytest-platform: could not read the recorded durations from Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\): shards are split by count$/)]);

    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const hung = await shard(['1/2', ...files], { REDIS_URL: `redis://127.0.0.1:${port}` });
      expect(hung.code).toBe(0);
      expect(hung.stdout).toBe(byCount);
      expect(hung.stderr).toBe(`pytest-platform: could not read the recorded durations from Redis at redis://127.0.0.1:${port} (no answer within 1 s): shards are split by count\n`);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });

  test('usage: a bad K/N or nothing to split exits 2 naming the problem; an empty shard prints nothing and says so', async () => {
    const bad = await shard(['5/4', 'src/a.test.ts']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('pytest-platform: shard: expected K/N with 1 ≤ K ≤ N ≤ 999999 (e.g. 2/4: shard 2 of 4), got "5/4"');
    const nothing = await shard(['1/2', 'nope/*.ts']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('pytest-platform: shard: nope/*.ts: no such file, and no files match it as a glob');
    const empty = await shard(['3/3', 'src/a.test.ts', 'src/b.test.ts']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toContain('pytest-platform: shard: shard 3/3 is empty (2 files for 3 shards): nothing to run');
    const help = await run(process.execPath, [cliPath, 'shard', '--help'], { cwd: dir, env: {} });
    expect(help.stdout).toContain('$ npx vitest run $(pytest-platform shard');
  });
});
