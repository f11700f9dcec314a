import { INGEST_GROUP, HealthSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { freePort } from '../../../test-support/services.js';
import { startApp, type TestContext } from './test-context.js';
import { testDialect } from '../../../test-support/postgres.js';

describe('GET /health with Redis and the database up', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.close());

  it('is ok with null ingest counts while no consumer group exists', async () => {
    const res = await ctx.get('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      status: 'ok',
      redis: { ok: true },
      db: { ok: true, dialect: testDialect() },
      ingest: { pending: null, lag: null, dead_letters: 0 },
    });
  });

  it('counts pending entries, lag and dead letters', async () => {
    await ctx.redis.xgroup('CREATE', ctx.stream, INGEST_GROUP, '0', 'MKSTREAM');
    for (let i = 0; i < 5; i += 1) await ctx.redis.xadd(ctx.stream, '*', 'type', 'run', 'data', JSON.stringify(makeRun()));
    // One consumer read 3 of the 5 and acknowledged one of them.
    const read = (await ctx.redis.xreadgroup('GROUP', INGEST_GROUP, 'c1', 'COUNT', 3, 'STREAMS', ctx.stream, '>')) as [string, [string, string[]][]][];
    const firstId = read[0]![1][0]![0];
    await ctx.redis.xack(ctx.stream, INGEST_GROUP, firstId);
    await ctx.redis.xadd(ctx.deadStream, '*', 'reason', 'data is not JSON', 'type', 'run', 'data', '{');

    const res = await ctx.get('/health');
    expect(res.status).toBe(200);
    expect(HealthSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({
      status: 'ok',
      redis: { ok: true },
      db: { ok: true, dialect: testDialect() },
      ingest: { pending: 2, lag: 2, dead_letters: 1 },
    });
  });
});

describe('with Redis unreachable', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp({ redisUrl: `redis://127.0.0.1:${await freePort()}` });
  });
  afterAll(() => ctx.close());

  it('GET /livez (liveness) still answers 200 ok while /health (readiness) answers 503', async () => {
    const live = await ctx.get('/livez');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    expect((await ctx.get('/health')).status).toBe(503);
  });

  it('GET /health answers 503 degraded, naming what failed', async () => {
    const res = await ctx.get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'degraded',
      redis: { ok: false, error: expect.any(String) },
      db: { ok: true, dialect: testDialect() },
      ingest: { pending: null, lag: null, dead_letters: null },
    });
  });

  it('POST /results answers 503 unavailable', async () => {
    const res = await ctx.get('/results', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(makeRun()) });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
  });

  it('still serves reads from the database', async () => {
    const res = await ctx.get('/results');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], next_cursor: null });
  });
});

describe('with the database gone', () => {
  it('reads answer a plain 500 internal, logged, and /health answers 503', async () => {
    const ctx = await startApp();
    try {
      await ctx.store.close();
      const res = await ctx.get('/results');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'internal', message: 'internal server error' } });
      expect(ctx.logs).toContainEqual(expect.objectContaining({ msg: 'unhandled error', path: '/results', err: expect.objectContaining({ message: expect.any(String) }) }));
      const health = await ctx.get('/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'degraded', redis: { ok: true }, db: { ok: false, dialect: testDialect(), error: expect.any(String) } });
      expect(await ctx.get('/livez')).toMatchObject({ status: 200, body: { status: 'ok' } });
    } finally {
      await ctx.close().catch(() => {});
    }
  });
});

describe('GET /livez with API_TOKEN set', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp({ env: { API_TOKEN: 'livez-test-token-0123456789' } });
  });
  afterAll(() => ctx.close());

  it('answers without a token, as the kubelet probes it, while other routes still need one', async () => {
    expect(await ctx.get('/livez')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await ctx.get('/livez/x')).status).toBe(401);
    expect((await ctx.get('/results')).status).toBe(401);
  });
});
