import { PublishedQuarantineSchema, redisKeyFor } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/services.js';
import { startApp, type TestContext } from './test-context.js';

const TOKEN = 'full-access-token-0123456789';
const READ_TOKEN = 'read-only-token-0123456789';
const full = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
const read = { authorization: `Bearer ${READ_TOKEN}` };
const FLAKY = 'tests/test_pay.py::test_refund[<b>€</b>]';

describe('/quarantine', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp({ env: { API_TOKEN: TOKEN, API_READ_TOKEN: READ_TOKEN } });
  });
  afterAll(async () => {
    await ctx.redis.del(redisKeyFor('quarantine', ctx.stream, 'shop'));
    await ctx.close();
  });

  const put = (body: unknown, headers: Record<string, string> = full) => ctx.get('/quarantine', { method: 'PUT', headers, body: JSON.stringify(body) });
  const published = async (project: string) => {
    const text = await ctx.redis.get(redisKeyFor('quarantine', ctx.stream, project));
    return text === null ? null : PublishedQuarantineSchema.parse(JSON.parse(text));
  };

  it('PUT quarantines a test with who, when and why, and publishes the list to Redis at once', async () => {
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const res = await put({ project: 'shop', nodeid: FLAKY, reason: 'times out on CI, TICKET-12', expires_at: expires });
    expect(res.status).toBe(200);
    const entry = { nodeid: FLAKY, reason: 'times out on CI, TICKET-12', since: expect.any(String), expires_at: expires, by: 'api' };
    expect(res.body).toEqual({
      project: 'shop', published: true, entry,
      change: { project: 'shop', nodeid: FLAKY, action: 'quarantined', by: 'api', reason: 'times out on CI, TICKET-12', at: expect.any(String), expires_at: expires },
    });
    expect(await published('shop')).toEqual({ project: 'shop', updated_at: expect.any(String), tests: [entry] });

    const list = await ctx.get('/quarantine?project=shop', { headers: read });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ project: 'shop', items: [entry] });
    expect((await ctx.get('/quarantine?project=other', { headers: read })).body).toEqual({ project: 'other', items: [] });
  });

  it('refuses the read token (403) and a missing token (401) on PUT and DELETE, and changes nothing', async () => {
    const body = { project: 'shop', nodeid: 'tests/test_x.py::test_y', reason: 'r' };
    const refused = await put(body, { 'content-type': 'application/json', ...read });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('API_READ_TOKEN') } });
    expect((await put(body, { 'content-type': 'application/json' })).status).toBe(401);
    const del = await ctx.get(`/quarantine?project=shop&nodeid=${encodeURIComponent(FLAKY)}`, { method: 'DELETE', headers: read });
    expect(del.status).toBe(403);
    const list = (await ctx.get('/quarantine?project=shop', { headers: read })).body as { items: { nodeid: string }[] };
    expect(list.items.map((i) => i.nodeid)).toEqual([FLAKY]);
  });

  it.each([
    ['no reason', { project: 'shop', nodeid: 'a' }, 'reason'],
    ['an empty node id', { project: 'shop', nodeid: '', reason: 'r' }, 'nodeid'],
    ['an expiry in the past', { project: 'shop', nodeid: 'a', reason: 'r', expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
    ['an expiry that is no date', { project: 'shop', nodeid: 'a', reason: 'r', expires_at: 'tomorrow' }, 'expires_at'],
    ['a project that is not text', { project: 7, nodeid: 'a', reason: 'r' }, 'project'],
  ])('answers 400 invalid_body naming the field for %s', async (_name, body, field) => {
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_body', message: expect.stringContaining(field) } });
  });

  it('answers 400 for a body that is not JSON and for bad query parameters', async () => {
    const res = await ctx.get('/quarantine', { method: 'PUT', headers: full, body: '{"project":' });
    expect(res.status).toBe(400);
    expect((res.body as { error: { code: string } }).error.code).toBe('invalid_json');
    for (const path of ['/quarantine', '/quarantine?project=shop&history=maybe', '/quarantine?project=shop&limit=0', '/quarantine?project=shop&color=red']) {
      const bad = await ctx.get(path, { headers: read });
      expect(bad.status, path).toBe(400);
      expect((bad.body as { error: { code: string } }).error.code, path).toBe('invalid_query');
    }
    const del = await ctx.get('/quarantine?project=shop', { method: 'DELETE', headers: full });
    expect(del.status).toBe(400);
    expect(del.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('nodeid') } });
  });

  it('DELETE releases (404 when the test is not quarantined), publishes the shorter list and keeps the history', async () => {
    const missing = await ctx.get('/quarantine?project=shop&nodeid=tests%2Ftest_x.py%3A%3Atest_none', { method: 'DELETE', headers: full });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('not quarantined') } });

    // A second PUT replaces the reason and the expiry.
    expect((await put({ project: 'shop', nodeid: FLAKY, reason: 'still flaky' })).status).toBe(200);
    const del = await ctx.get(`/quarantine?project=shop&nodeid=${encodeURIComponent(FLAKY)}&reason=fixed+in+%2342`, { method: 'DELETE', headers: full });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({
      project: 'shop', published: true,
      entry: { nodeid: FLAKY, reason: 'still flaky', expires_at: null, by: 'api' },
      change: { action: 'released', by: 'api', reason: 'fixed in #42', expires_at: null },
    });
    expect(await published('shop')).toMatchObject({ project: 'shop', tests: [] });
    expect((await ctx.get(`/quarantine?project=shop&nodeid=${encodeURIComponent(FLAKY)}`, { method: 'DELETE', headers: full })).status).toBe(404);

    const history = await ctx.get(`/quarantine?project=shop&history=true&nodeid=${encodeURIComponent(FLAKY)}`, { headers: read });
    expect(history.status).toBe(200);
    const body = history.body as { items: unknown[]; history: { action: string; by: string; reason: string }[] };
    expect(body.items).toEqual([]);
    expect(body.history.map((h) => `${h.action} by ${h.by}: ${h.reason}`)).toEqual([
      'released by api: fixed in #42', 'quarantined by api: still flaky', 'quarantined by api: times out on CI, TICKET-12',
    ]);
    expect(((await ctx.get('/quarantine?project=shop&history=true&limit=1', { headers: read })).body as { history: unknown[] }).history).toHaveLength(1);
  });

  it('returns quarantined: true with the run\'s tests and failures as the reporter sent it', async () => {
    await ctx.seed({
      run_id: 'quarantined-run', project: 'shop', status: 'failed', started_at: new Date().toISOString(),
      tests: [
        { nodeid: 'tests/test_q.py::test_flaky', outcome: 'failed', message: 'boom', quarantined: true },
        { nodeid: 'tests/test_q.py::test_broken', outcome: 'failed', message: 'bang' },
      ],
    });
    const tests = (await ctx.get('/results/quarantined-run/tests', { headers: read })).body as { items: { nodeid: string; quarantined: boolean }[] };
    expect(tests.items.map((t) => [t.nodeid, t.quarantined])).toEqual([['tests/test_q.py::test_broken', false], ['tests/test_q.py::test_flaky', true]]);
    const run = (await ctx.get('/results/quarantined-run', { headers: read })).body as { failures: { nodeid: string; quarantined: boolean }[] };
    expect(run.failures.map((f) => [f.nodeid, f.quarantined]).sort()).toEqual([['tests/test_q.py::test_broken', false], ['tests/test_q.py::test_flaky', true]]);
  });
});

describe('/quarantine while Redis is down', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp({ redisUrl: `redis://127.0.0.1:${await freePort()}` });
  });
  afterAll(() => ctx.close());

  it('stores the change and says it is not published yet (ingest publishes it on its next pass)', async () => {
    const res = await ctx.get('/quarantine', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project: 'p', nodeid: 'a::b', reason: 'r' }) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ published: false, entry: { nodeid: 'a::b' } });
    expect(((await ctx.get('/quarantine?project=p')).body as { items: unknown[] }).items).toHaveLength(1);
  });
});
