import { buildOpenApiDocument } from '@pytest-platform/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { startApp, type TestContext } from './test-context.js';

const json = { 'content-type': 'application/json' };
let ctx: TestContext;

beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

const post = (body: string) => ctx.get('/results', { method: 'POST', headers: json, body });

describe('POST /results: a run id belongs to the project that first stored it', () => {
  it('another project gets 409 run_id_taken and nothing reaches the stream; the owner keeps posting it (202)', async () => {
    const owned = makeRun({ project: 'my-service', status: 'failed' });
    await ctx.seed(owned);
    const before = await ctx.redis.xlen(ctx.stream);
    const planted = { ...owned, project: 'attacker-proj', status: 'passed', summary: { total: 999, passed: 999, failed: 0, skipped: 0, errors: 0 } };
    const refused = await post(JSON.stringify(planted));
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: {
        code: 'run_id_taken',
        message: `run_id ${JSON.stringify(owned.run_id)} belongs to project "my-service"; an entry of project "attacker-proj" may not change it (use a new run_id)`,
      },
    });
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before);
    expect((await post(JSON.stringify(owned))).status).toBe(202);
    expect((await post(JSON.stringify(makeRun({ project: 'attacker-proj' })))).status).toBe(202);
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before + 2);
    const stored = await ctx.get(`/results/${owned.run_id}`);
    expect(stored.body).toMatchObject({ project: 'my-service', status: 'failed', summary: { total: 2, failed: 1 } });
  });

  it('the OpenAPI document lists the 409', () => {
    const doc = buildOpenApiDocument({ auth: false }) as { paths: Record<string, { post?: { responses: Record<string, unknown> } }> };
    expect(Object.keys(doc.paths['/results']!.post!.responses)).toContain('409');
  });
});

describe('POST /results: strings are well-formed Unicode, dates plausible and ordered', () => {
  it('a lone surrogate anywhere is refused with 400 naming the field, and nothing reaches the stream', async () => {
    const before = await ctx.redis.xlen(ctx.stream);
    const cases: [string, string][] = [
      [JSON.stringify(makeRun({ project: 'p' })).replace('"project":"p"', '"project":"p\\ud800"'), 'project'],
      [JSON.stringify(makeRun({ branch: 'b' })).replace('"branch":"b"', '"branch":"\\udc00b"'), 'branch'],
      [JSON.stringify(makeRun({ environment: { key: 'v' } })).replace('"key":"v"', '"key":"v\\ud83d"'), 'environment.key'],
      [JSON.stringify(makeRun({ tests: [{ nodeid: 'n', outcome: 'failed', message: 'm' }] })).replace('"message":"m"', '"message":"m\\udfff\\ud800"'), 'tests.0.message'],
      [JSON.stringify(makeRun({ tests: [{ nodeid: 'n', outcome: 'passed' }] })).replace('"nodeid":"n"', '"nodeid":"\\ud800n"'), 'tests.0.nodeid'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect(res.status, field).toBe(400);
      expect(res.body, field).toEqual({ error: { code: 'invalid_body', message: `${field}: not well-formed Unicode (a lone UTF-16 surrogate)` } });
    }
    // A whole pair is a character like any other.
    expect((await post(JSON.stringify(makeRun({ project: 'emoji-\ud83d\ude00' })))).status).toBe(202);
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before + 1);
  });

  it('dates before 2000, more than a day ahead, or a finish before the start are refused with 400 naming the field', async () => {
    const before = await ctx.redis.xlen(ctx.stream);
    const ahead = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const cases: [object, string][] = [
      [{ started_at: '1999-12-31T23:59:59.999Z', finished_at: '2000-01-01T00:00:01.000Z' }, 'started_at: before 2000-01-01T00:00:00Z'],
      [{ started_at: '0001-01-01T00:00:00Z', finished_at: null }, 'started_at: before 2000-01-01T00:00:00Z'],
      [{ started_at: '9999-12-31T00:00:00Z', finished_at: null }, "started_at: more than one day ahead of the receiver's clock"],
      [{ started_at: '2026-11-26T10:00:00Z', finished_at: ahead }, "finished_at: more than one day ahead of the receiver's clock"],
      [{ started_at: '2026-11-26T10:00:00Z', finished_at: '2026-11-26T09:59:59.999Z' }, 'finished_at: before started_at (2026-11-26T10:00:00Z)'],
    ];
    for (const [dates, message] of cases) {
      const res = await post(JSON.stringify({ ...makeRun(), ...dates }));
      expect(res.status, message).toBe(400);
      expect((res.body as { error: { code: string; message: string } }).error, message).toMatchObject({ code: 'invalid_body', message: expect.stringContaining(message) });
    }
    const edge = { started_at: '2000-01-01T00:00:00.000Z', finished_at: new Date(Date.now() + 3_600_000).toISOString() };
    expect((await post(JSON.stringify({ ...makeRun(), ...edge }))).status).toBe(202);
    expect((await post(JSON.stringify({ ...makeRun(), finished_at: makeRun().started_at }))).status).toBe(202);
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before + 2);
  });
});

/** Every GET route that takes a query, from the OpenAPI document, with a path that matches it. */
const queryRoutes = Object.entries(buildOpenApiDocument({ auth: false }).paths as Record<string, { get?: { parameters?: { in: string; name: string; required?: boolean }[] } }>)
  .filter(([, item]) => item.get?.parameters?.some((p) => p.in === 'query'))
  .map(([path, item]) => {
    const required = (item.get!.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=x`);
    return `${path.replace(/\{[^}]+\}/g, 'some-id')}?${required.join('&')}`;
  });

describe('unknown query parameters, __proto__ included, get 400 on every route', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf', 'prototype'])('%s', async (key) => {
    expect(queryRoutes.length).toBeGreaterThan(10);
    for (const route of queryRoutes) {
      const res = await ctx.get(`${route}${route.endsWith('?') ? '' : '&'}${encodeURIComponent(key)}=x`);
      expect(res.status, route).toBe(400);
      expect(res.body, route).toEqual({ error: { code: 'invalid_query', message: `Unrecognized key: ${JSON.stringify(key)}` } });
    }
  });

  it('a known parameter named like a prototype key still works (project=__proto__ is a value, not a key)', async () => {
    const res = await ctx.get('/results?project=__proto__');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], next_cursor: null });
  });
});

describe('a malformed percent escape in the path or the query gets 400 invalid_query with a plain message', () => {
  it.each([
    ['/results/%E0%A4%A', 'the path has a malformed percent escape (% must start %XX of UTF-8)'],
    ['/results/%', 'the path has a malformed percent escape (% must start %XX of UTF-8)'],
    ['/results/%ED%A0%80', 'the path has a malformed percent escape (% must start %XX of UTF-8)'],
    ['/results?project=%E0%A4%A', 'the query has a malformed percent escape (% must start %XX of UTF-8)'],
    ['/trend?project=x&branch=%zz', 'the query has a malformed percent escape (% must start %XX of UTF-8)'],
    ['/nowhere/%', 'the path has a malformed percent escape (% must start %XX of UTF-8)'],
  ])('%s', async (path, message) => {
    const res = await ctx.get(path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_query', message } });
  });
});
