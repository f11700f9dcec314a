import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { limits, RunResultSchema, truncate } from '@pytest-platform/schema';
import { describe, expect, test } from 'vitest';
import { importReportText, RunCollector } from '../src/index.js';
import { REDIS_URL, readEntries, streamsForThisFile } from './helpers.js';

const { redis, config } = streamsForThisFile();

const identity = { project: 'p', branch: null, commit: null, worker_id: 'w', build_id: null, shard: null, environment: {} };
const LONE = '\ud800';

describe('reporters never produce a run a receiver refuses', () => {
  test('lone surrogates in test names, messages, tags and environment go out as U+FFFD, whole pairs as they are; every entry validates', async () => {
    for (const live of [false, true]) {
      const cfg = await config({ live });
      const collector = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'surrogates' }, environment: { [`key${LONE}`]: `value\udc00` } });
      collector.start();
      collector.add({ nodeid: `t.ts::name ${LONE} and 😀`, outcome: 'failed', message: `boom \udfff`, longrepr: `trace ${LONE}${LONE}`, tags: [`tag${LONE}`] });
      await collector.finish();
      const entries = await readEntries(redis, cfg.stream);
      expect(entries.length, `live=${live}`).toBeGreaterThan(0);
      const tests = entries.flatMap((e) => (e.type === 'run' || e.type === 'run.tests' ? e.data.tests : []));
      expect(tests[0]).toMatchObject({ nodeid: 't.ts::name \ufffd and 😀', message: 'boom \ufffd', longrepr: 'trace \ufffd\ufffd', tags: ['tag\ufffd'] });
      expect(entries[0]!.data.environment).toMatchObject({ 'key\ufffd': 'value\ufffd' });
    }
  });

  test('a cut never falls between the halves of a pair', () => {
    const text = 'a'.repeat(limits.messageLength - 15) + '😀'.repeat(20);
    const cut = truncate(text, limits.messageLength);
    expect(cut.length).toBeLessThanOrEqual(limits.messageLength);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut)).toBe(false);
  });

  test('a clock set back during the run never makes it finish before it started', async () => {
    const collector = new RunCollector({ framework: 'custom', config: await config(), env: { PROJECT: 'clock' }, startedAt: new Date('2026-11-26T10:00:00.000Z') });
    const run = collector.result({ finishedAt: new Date('2026-11-26T09:59:00.000Z') });
    expect(run).toMatchObject({ started_at: '2026-11-26T10:00:00.000Z', finished_at: '2026-11-26T10:00:00.000Z', duration: 0 });
    expect(RunResultSchema.safeParse(run).success).toBe(true);
  });

  test('an imported report dated in the future, or a file time of 1970, falls back to a plausible start', () => {
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const junit = (timestamp: string) => `<testsuite name="s" timestamp="${timestamp}" time="2"><testcase classname="c" name="t" time="1"/></testsuite>`;
    const fallbackStart = new Date('2026-11-27T08:00:00.000Z');
    const ahead = importReportText(junit(future), { identity, fallbackStart });
    expect(ahead).toMatchObject({ started_at: fallbackStart.toISOString(), finished_at: '2026-11-27T08:00:02.000Z' });
    expect(RunResultSchema.safeParse(ahead).success).toBe(true);

    const before = Date.now();
    const epoch = importReportText(junit('1970-01-01T00:00:01'), { identity, fallbackStart: new Date(1000) });
    expect(Date.parse(epoch.started_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(RunResultSchema.safeParse(epoch).success).toBe(true);

    const longRun = importReportText(`<testsuite name="s" timestamp="2026-11-27T08:00:00" time="${10 * 86_400}"><testcase classname="c" name="t" time="1"/></testsuite>`, { identity, fallbackStart });
    expect(RunResultSchema.safeParse(longRun).success).toBe(true);
  });

  test('a spool file written before the cleaning is sent cleaned', async () => {
    const cfg = await config({ redisUrl: 'redis://127.0.0.1:1' });
    const collector = new RunCollector({ framework: 'custom', config: cfg, env: { PROJECT: 'spooled' }, log: () => {} });
    collector.add({ nodeid: 'a', outcome: 'passed' });
    expect((await collector.finish())?.spooled).toBe(1);
    const [file] = (await readdir(cfg.spoolDir)).filter((name) => name.endsWith('.json'));
    const spooled = path.join(cfg.spoolDir, file!);
    // As an older reporter wrote it: a lone surrogate escaped in the JSON.
    await writeFile(spooled, (await readFile(spooled, 'utf8')).replace('"nodeid":"a"', '"nodeid":"a\\ud800"'));
    const sender = new RunCollector({ framework: 'custom', config: { ...cfg, redisUrl: REDIS_URL }, env: { PROJECT: 'sender' } });
    expect((await sender.finish())?.flushed).toBe(1);
    const runs = (await readEntries(redis, cfg.stream)).filter((e) => e.type === 'run' && e.data.project === 'spooled');
    expect(runs.map((e) => (e.type === 'run' ? e.data.tests[0]?.nodeid : null))).toEqual(['a\ufffd']);
  });
});
