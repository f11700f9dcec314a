import { request } from 'node:http';
import { limits } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { startApp, type TestContext } from './test-context.js';

const TOKEN = 'full-access-token-0123456789';
const READ_TOKEN = 'read-only-token-0123456789';
const json = { 'content-type': 'application/json' };

describe('API_READ_TOKEN', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp({ env: { API_TOKEN: TOKEN, API_READ_TOKEN: READ_TOKEN } });
  });
  afterAll(() => ctx.close());

  it('may call every GET route but not POST /results (403 with a JSON error); API_TOKEN may do both', async () => {
    const read = { authorization: `Bearer ${READ_TOKEN}` };
    for (const path of ['/results', '/workers', '/projects', '/failures/stats', '/openapi.json', '/trend?project=x']) {
      expect((await ctx.get(path, { headers: read })).status, path).toBe(200);
    }
    const before = await ctx.redis.xlen(ctx.stream);
    const refused = await ctx.get('/results', { method: 'POST', headers: { ...json, ...read }, body: JSON.stringify(makeRun()) });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('API_READ_TOKEN') } });
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before);

    const full = await ctx.get('/results', { method: 'POST', headers: { ...json, authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(makeRun()) });
    expect(full.status).toBe(202);
    expect((await ctx.get('/results', { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect(JSON.stringify(ctx.logs)).not.toContain(READ_TOKEN);
  });

  it('alone, without API_TOKEN, still protects every route and allows no writes', async () => {
    const only = await startApp({ env: { API_READ_TOKEN: READ_TOKEN } });
    try {
      expect((await only.get('/results')).status).toBe(401);
      expect((await only.get('/results', { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status).toBe(200);
      const post = await only.get('/results', { method: 'POST', headers: { ...json, authorization: `Bearer ${READ_TOKEN}` }, body: '{}' });
      expect(post.status).toBe(403);
    } finally {
      await only.close();
    }
  });
});

/** Sends a body of `total` bytes in 1 MiB chunks without Content-Length; resolves with the status once the server answers. */
function postChunked(url: string, total: number): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${url}/results`, { method: 'POST', headers: { ...json, 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(1_048_576, 0x20);
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('limits, each named in the error', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startApp();
  });
  afterAll(() => ctx.close());

  it('a declared Content-Length over limits.entryBytes is refused with 413 before reading the body', async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${ctx.url}/results`, { method: 'POST', headers: { ...json, 'content-length': String(limits.entryBytes + 1) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"run_id":');
    });
    expect(status.status).toBe(413);
    expect(JSON.parse(status.body)).toEqual({ error: { code: 'payload_too_large', message: `body larger than ${limits.entryBytes} bytes (limits.entryBytes)` } });
  });

  it('a chunked body growing past limits.entryBytes is cut off at the limit with 413', async () => {
    const before = process.memoryUsage().rss;
    const result = await postChunked(ctx.url, limits.entryBytes * 3);
    expect(result.status).toBe(413);
    expect(result.body).toContain('limits.entryBytes');
    expect(result.sent).toBeLessThan(limits.entryBytes * 2);
    expect(process.memoryUsage().rss - before).toBeLessThan(limits.entryBytes * 2);
  });

  it('a body that is not UTF-8 is refused with 400, not stored with replacement characters', async () => {
    const valid = Buffer.from(JSON.stringify(makeRun({ project: 'utf8-check' })));
    const broken = Buffer.concat([valid.subarray(0, 20), Buffer.from([0xff, 0xfe, 0xc3]), valid.subarray(20)]);
    const res = await ctx.get('/results', { method: 'POST', headers: json, body: broken });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: 'body is not valid UTF-8' } });
  });

  it('more than limits.testsPerRun tests, and over-long strings, are refused with the limit in the message', async () => {
    const before = await ctx.redis.xlen(ctx.stream);
    const tests = Array.from({ length: limits.testsPerRun + 1 }, (_, i) => ({ nodeid: `t${i}`, outcome: 'passed' as const }));
    const many = await ctx.get('/results', { method: 'POST', headers: json, body: JSON.stringify(makeRun({ tests })) });
    expect(many.status).toBe(400);
    expect(many.body).toEqual({ error: { code: 'invalid_body', message: `tests: at most ${limits.testsPerRun} tests per run` } });

    const long = makeRun({ tests: [{ nodeid: 'a', outcome: 'failed', message: 'm'.repeat(limits.messageLength + 1), longrepr: 'l'.repeat(limits.longreprLength + 1) }] });
    const strings = await ctx.get('/results', { method: 'POST', headers: json, body: JSON.stringify(long) });
    expect(strings.status).toBe(400);
    expect((strings.body as { error: { message: string } }).error.message).toBe(
      `tests.0.message: at most ${limits.messageLength} characters; tests.0.longrepr: at most ${limits.longreprLength} characters`,
    );
    const project = await ctx.get('/results', { method: 'POST', headers: json, body: JSON.stringify(makeRun({ project: 'p'.repeat(limits.nameLength + 1) })) });
    expect((project.body as { error: { message: string } }).error.message).toBe(`project: at most ${limits.nameLength} characters`);
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before);
  });
});
