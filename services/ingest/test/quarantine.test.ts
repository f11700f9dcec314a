import { PublishedDurationsSchema, PublishedQuarantineSchema, redisKeyFor, streamNames, type QuarantineChange } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { freePort, startService, type RunningService } from '../../../test-support/services.js';
import { deleteStreams, readStream, redisClient, tempDir, testEnv, waitFor, xaddMany } from './helpers.js';

/**
 * Issue 16, acceptance 2, with real processes: ingest (automatic policy on, a fold every second)
 * and the API over the same SQLite file and a random stream.
 */
const redis = redisClient();
const tmp = tempDir();
const env = testEnv(tmp.dbPath, { LOG_LEVEL: 'info', QUARANTINE_AUTO: 'true', QUARANTINE_RELEASE_PASSES: '3', INGEST_FOLD_SECONDS: '1' });
const stream = env.RESULTS_STREAM!;
const services: RunningService[] = [];
let api = '';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

beforeAll(async () => {
  services.push(await startService('ingest', env));
  const port = await freePort();
  services.push(await startService('api', { ...env, API_PORT: String(port) }));
  api = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  const keys = await redis.keys(`${stream}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await deleteStreams(redis, stream);
  await redis.quit();
  tmp.cleanup();
});

const getJson = async (path: string, init?: RequestInit) => {
  const res = await fetch(api + path, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The `quarantine.changed` events on `<stream>:events` of `project`, oldest first. */
const changes = async (project: string) =>
  (await readStream(redis, streamNames(stream).events)).map((e) => e.fields).filter((f) => f.type === 'quarantine.changed' && f.project === project);

const published = async (kind: 'quarantine' | 'durations', project: string) => {
  const text = await redis.get(redisKeyFor(kind, stream, project));
  return text === null ? null : (JSON.parse(text) as unknown);
};

/** Puts runs on the stream in one pipeline: `outcomes[i]` for each test, run i started i minutes after T0. */
const send = (project: string, first: number, runs: readonly Record<string, ['passed' | 'failed', number]>[]) =>
  xaddMany(redis, stream, runs.map((tests, i) => [
    'type', 'run', 'data', JSON.stringify(makeRun({
      run_id: `${project}-${first + i}`, project, commit: `c${first + i}`, started_at: at(first + i), finished_at: at(first + i + 0.5),
      tests: Object.entries(tests).map(([nodeid, [outcome, duration]]) => ({ nodeid, outcome, duration, message: outcome === 'failed' ? 'boom' : null })),
    })),
  ]));

/** On failure, what the processes printed. */
const showOutput = () => onTestFailed(() => console.error(services.map((s) => s.output()).join('\n----\n')));

describe('the automatic quarantine policy in a running ingest', () => {
  it('quarantines a test that flips in a seeded history and releases it after the passes; both on the events stream, in the history and in Redis', async () => {
    showOutput();
    const project = 'shop';
    const flaky = 'tests/test_pay.py::test_refund';
    const stable = 'tests/test_pay.py::test_charge';
    // The third flip comes with the last run, so the rule flags it only once the whole history is stored, however ingest batches it.
    const flips = (['passed', 'passed', 'passed', 'failed', 'passed', 'failed'] as const).map((o) => ({ [flaky]: [o, 0.2], [stable]: ['passed', 0.1] }) as Record<string, ['passed' | 'failed', number]>);
    await send(project, 1, flips);

    const [quarantined] = await waitFor('the quarantine event', async () => ((await changes(project)).length > 0 ? changes(project) : undefined), 30_000);
    expect(quarantined).toMatchObject({ nodeid: flaky, action: 'quarantined', by: 'auto', expires_at: '' });
    expect(quarantined!.reason).toBe(`flaky in 3 of the last 6 runs: flipped between pass and fail 3 times (runs ${project}-4, ${project}-5, ${project}-6)`);

    const list = await getJson(`/quarantine?project=${project}`);
    expect(list.status).toBe(200);
    const entry = { nodeid: flaky, reason: quarantined!.reason, since: quarantined!.at, expires_at: null, by: 'auto' };
    expect(list.body).toEqual({ project, items: [entry] });
    await waitFor('the list in Redis', async () => ((await published('quarantine', project)) !== null ? true : undefined));
    expect(PublishedQuarantineSchema.parse(await published('quarantine', project))).toEqual({ project, updated_at: expect.any(String), tests: [entry] });

    // Three consecutive passes (QUARANTINE_RELEASE_PASSES) release it.
    await send(project, 7, [0, 1, 2].map(() => ({ [flaky]: ['passed', 0.2], [stable]: ['passed', 0.1] })));
    const [, released] = await waitFor('the release event', async () => ((await changes(project)).length > 1 ? changes(project) : undefined), 30_000);
    expect(released).toMatchObject({ nodeid: flaky, action: 'released', by: 'auto', reason: 'passed 3 consecutive runs' });
    expect(await changes(project)).toHaveLength(2);

    const history = await getJson(`/quarantine?project=${project}&history=true`);
    expect(history.body.items).toEqual([]);
    expect((history.body.history as QuarantineChange[]).map((h) => [h.action, h.by, h.reason])).toEqual([
      ['released', 'auto', 'passed 3 consecutive runs'],
      ['quarantined', 'auto', quarantined!.reason],
    ]);
    await waitFor('the shorter list in Redis', async () =>
      PublishedQuarantineSchema.parse(await published('quarantine', project)).tests.length === 0 ? true : undefined);
  });

  it('announces changes made through the API, and releases an entry when it expires', async () => {
    showOutput();
    const project = 'api-made';
    const expires = new Date(Date.now() + 2_000).toISOString();
    const put = await getJson('/quarantine', {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project, nodeid: 'a.py::t', reason: 'until Tuesday', expires_at: expires }),
    });
    expect(put.status).toBe(200);
    const events = await waitFor('the expiry', async () => ((await changes(project)).length > 1 ? changes(project) : undefined), 30_000);
    expect(events.map((e) => [e.action, e.by, e.reason])).toEqual([['quarantined', 'api', 'until Tuesday'], ['released', 'auto', `expired at ${expires}`]]);
    expect(events[0]!.expires_at).toBe(expires);
    await waitFor('the empty list in Redis', async () =>
      PublishedQuarantineSchema.parse(await published('quarantine', project)).tests.length === 0 ? true : undefined);
  });

  it('publishes the recorded durations: the exponentially weighted mean of passing runs', async () => {
    showOutput();
    const project = 'timed';
    await send(project, 1, [
      { 'f.py::a': ['passed', 1], 'f.py::b': ['passed', 0.5] },
      { 'f.py::a': ['passed', 2], 'f.py::b': ['passed', 1] },
      { 'f.py::a': ['passed', 4], 'f.py::b': ['failed', 9] },
    ]);
    // 1 → 1.3 → 2.11; 0.5 → 0.65 (the failure left out); f.py 1.5 → 1.95 → 2.565 (weight 0.3).
    const value = await waitFor('three runs folded', async () => {
      const v = await published('durations', project);
      return v !== null && (v as { tests: Record<string, number> }).tests['f.py::a'] === 2.11 ? v : undefined;
    }, 30_000);
    expect(PublishedDurationsSchema.parse(value)).toEqual({ project, updated_at: expect.any(String), tests: { 'f.py::a': 2.11, 'f.py::b': 0.65 }, files: { 'f.py': 2.565 } });
  });
});
