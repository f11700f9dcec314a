import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './test-context.js';

const TOKEN = 'a-secret-token-0123456789';

describe('with API_TOKEN set', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp({ env: { API_TOKEN: TOKEN } });
  });
  afterAll(() => ctx.close());

  const unauthorized = { error: { code: 'unauthorized', message: expect.any(String) } };

  it.each([
    ['no header', undefined],
    ['a wrong token', `Bearer ${TOKEN.slice(0, -1)}x`],
    ['a shorter token', 'Bearer abc'],
    ['another scheme', `Basic ${TOKEN}`],
  ])('answers 401 with %s', async (_what, authorization) => {
    for (const path of ['/results', '/trend?project=x', '/workers', '/failures/stats', '/projects', '/openapi.json', '/docs/', '/results/x', '/builds', '/builds/x?project=p']) {
      const res = await ctx.get(path, { headers: authorization ? { authorization } : {} });
      expect(res.status, path).toBe(401);
      expect(res.body, path).toEqual(unauthorized);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const post = await ctx.get('/results', { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: '{}' });
    expect(post.status).toBe(401);
  });

  it('answers 200 with the token', async () => {
    const res = await ctx.get('/results', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], next_cursor: null });
    const doc = await ctx.get('/openapi.json', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(doc.body).toMatchObject({ security: [{ bearerAuth: [] }] });
  });

  it('leaves /health open', async () => {
    const res = await ctx.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('logs one line per request and never the token', async () => {
    const before = ctx.logs.length;
    await ctx.get('/workers', { headers: { authorization: `Bearer ${TOKEN}` } });
    await ctx.get('/workers', { headers: { authorization: 'Bearer wrong' } });
    const lines = ctx.logs.slice(before);
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'request', method: 'GET', path: '/workers', status: 200 }),
      expect.objectContaining({ msg: 'request', method: 'GET', path: '/workers', status: 401 }),
    ]);
    expect(JSON.stringify(ctx.logs)).not.toContain(TOKEN);
  });
});

describe('unknown routes and methods', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.close());

  it('answers 404 not_found as JSON for an unknown route', async () => {
    const res = await ctx.get('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'no route GET /nope' } });
  });

  it('answers 405 method_not_allowed as JSON with Allow for a wrong method', async () => {
    const res = await ctx.get('/trend', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD']);
    expect(res.body).toEqual({ error: { code: 'method_not_allowed', message: expect.stringContaining('DELETE') } });
    const put = await ctx.get('/results', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(put.body).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
  });

  it('rejects query parameters on routes that take none', async () => {
    const res = await ctx.get('/workers?since=2026-01-01');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining('since') } });
  });
});
