import { randomUUID } from 'node:crypto';
import { limits, RunDetailSchema, RunPageSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { HOUR, iso, startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

const post = (body: string, contentType = 'application/json') =>
  ctx.get('/results', { method: 'POST', headers: { 'content-type': contentType }, body });

describe('POST /results', () => {
  it('puts the run on the stream as one entry with type and data, and answers 202', async () => {
    const run = makeRun({ project: 'posted' });
    const res = await post(JSON.stringify(run));
    expect(res.status).toBe(202);
    const body = res.body as { run_id: string; stream_id: string };
    expect(body).toEqual({ run_id: run.run_id, stream_id: expect.stringMatching(/^\d+-\d+$/) });

    const entries = await ctx.redis.xrange(ctx.stream, '-', '+');
    const entry = entries.find(([id]) => id === body.stream_id);
    expect(entry).toBeDefined();
    const [, fields] = entry!;
    expect(fields[0]).toBe('type');
    expect(fields[1]).toBe('run');
    expect(fields[2]).toBe('data');
    const data = JSON.parse(fields[3]!) as Record<string, unknown>;
    expect(data).toMatchObject({ run_id: run.run_id, project: 'posted', branch: 'main', status: 'failed' });
    expect((data.tests as unknown[]).length).toBe(2);
  });

  it('rejects a run without project with 400 invalid_body naming the field, writing nothing', async () => {
    const before = await ctx.redis.xlen(ctx.stream);
    const { project: _omit, ...run } = makeRun();
    const res = await post(JSON.stringify(run));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_body', message: expect.stringContaining('project') } });
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before);
  });

  it('names nested fields that are wrong', async () => {
    const run = makeRun({ tests: [{ nodeid: 'a', outcome: 'exploded' as never }] });
    const res = await post(JSON.stringify(run));
    expect(res.status).toBe(400);
    expect((res.body as { error: { message: string } }).error.message).toContain('tests.0.outcome');
  });

  it('answers 400 invalid_json to a body that is not JSON', async () => {
    const before = await ctx.redis.xlen(ctx.stream);
    const res = await post('{"run_id": nope');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.stringContaining('not valid JSON') } });
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before);
  });

  it('answers 415 to a body that is not declared as JSON', async () => {
    const res = await post(JSON.stringify(makeRun()), 'text/plain');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error: { code: 'unsupported_media_type', message: expect.stringContaining('application/json') } });
  });

  it('answers 413 naming the limit to a body larger than limits.entryBytes', async () => {
    const before = await ctx.redis.xlen(ctx.stream);
    const res = await post('x'.repeat(limits.entryBytes + 1));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining(String(limits.entryBytes)) } });
    expect(await ctx.redis.xlen(ctx.stream)).toBe(before);
  });

  it('answers 413 to a chunked body once it passes the limit', async () => {
    const chunk = new Uint8Array(4 * 1_048_576).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > limits.entryBytes) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${ctx.url}/results`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half',
    } as RequestInit).catch((error: unknown) => error);
    expect(res).toBeInstanceOf(Response);
    if (res instanceof Response) {
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    }
  });
});

describe('GET /results', () => {
  const T0 = Date.parse('2026-10-01T00:00:00.000Z');
  const project = `list-${randomUUID()}`;
  // Newest first: (started_at desc, insertion desc); r3..r5 share a start time.
  const runs = [
    { id: 'r1', at: T0, branch: 'main', worker: 'w1', outcome: 'passed' },
    { id: 'r2', at: T0 + HOUR, branch: 'dev', worker: 'w2', outcome: 'failed' },
    { id: 'r3', at: T0 + 2 * HOUR, branch: 'main', worker: 'w1', outcome: 'passed' },
    { id: 'r4', at: T0 + 2 * HOUR, branch: 'main', worker: 'w2', outcome: 'passed' },
    { id: 'r5', at: T0 + 2 * HOUR, branch: 'dev', worker: 'w1', outcome: 'failed' },
    { id: 'r6', at: T0 + 3 * HOUR, branch: 'main', worker: 'w1', outcome: 'passed' },
    { id: 'r7', at: T0 + 4 * HOUR, branch: 'main', worker: 'w2', outcome: 'error' },
  ] as const;
  const newestFirst = ['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1'];

  beforeAll(async () => {
    for (const r of runs) {
      await ctx.seed(makeRun({
        run_id: r.id, project, branch: r.branch, worker_id: r.worker, started_at: iso(r.at),
        tests: [{ nodeid: 't::x', outcome: r.outcome }],
      }));
    }
    await ctx.seed(makeRun({ run_id: 'other-1', project: `other-${randomUUID()}`, started_at: iso(T0) }));
  });

  const ids = async (query: string) => {
    const res = await ctx.get(`/results?project=${project}&${query}`);
    expect(res.status).toBe(200);
    return RunPageSchema.parse(res.body).items.map((r) => r.run_id);
  };

  it('lists runs newest first without tests, with pass_rate, and Cache-Control: no-store', async () => {
    const res = await ctx.get(`/results?project=${project}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = RunPageSchema.parse(res.body);
    expect(page.items.map((r) => r.run_id)).toEqual(newestFirst);
    expect(page.next_cursor).toBeNull();
    const r7 = (res.body as { items: Record<string, unknown>[] }).items[0]!;
    expect(r7).not.toHaveProperty('tests');
    expect(r7).toMatchObject({ run_id: 'r7', project, branch: 'main', worker_id: 'w2', status: 'failed', pass_rate: 0,
      summary: { total: 1, passed: 0, failed: 0, errors: 1, skipped: 0 } });
  });

  it('filters by branch, worker_id, status, since and until', async () => {
    expect(await ids('branch=dev')).toEqual(['r5', 'r2']);
    expect(await ids('worker_id=w2')).toEqual(['r7', 'r4', 'r2']);
    expect(await ids('status=passed')).toEqual(['r6', 'r4', 'r3', 'r1']);
    expect(await ids(`since=${iso(T0 + 2 * HOUR)}`)).toEqual(['r7', 'r6', 'r5', 'r4', 'r3']);
    expect(await ids(`until=${iso(T0 + 2 * HOUR)}`)).toEqual(['r2', 'r1']);
    expect(await ids('since=2026-10-01&until=2026-10-01T01:30:00%2B00:00')).toEqual(['r2', 'r1']);
    expect(await ids('branch=main&worker_id=w1&status=passed')).toEqual(['r6', 'r3', 'r1']);
  });

  it('pages with the cursor: three pages, no duplicates, no gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await ctx.get(`/results?project=${project}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = RunPageSchema.parse(res.body);
      seen.push(...page.items.map((r) => r.run_id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);
  });

  it.each([
    ['cursor=garbage', 'cursor'],
    ['since=yesterday', 'since'],
    ['until=2026-13-45', 'until'],
    ['status=exploded', 'status'],
    ['limit=abc', 'limit'],
    ['limit=0', 'limit'],
    ['limit=-5', 'limit'],
    ['projet=x', 'projet'],
    ['branch=a&branch=b', 'branch'],
  ])('answers 400 invalid_query naming the parameter for %s', async (query, name) => {
    const res = await ctx.get(`/results?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining(name) } });
  });

  it('clamps a limit above the maximum', async () => {
    const res = await ctx.get(`/results?project=${project}&limit=100000`);
    expect(res.status).toBe(200);
    expect(RunPageSchema.parse(res.body).items).toHaveLength(7);
  });
});

describe('GET /results/{run_id}', () => {
  it('gives the run with its failed and error tests, message and longrepr', async () => {
    const run = makeRun({
      run_id: `detail-${randomUUID()}`,
      project: `detail-${randomUUID()}`,
      tests: [
        { nodeid: 'tests/test_a.py::test_ok', outcome: 'passed' },
        { nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', message: 'AssertionError: assert 404 == 200', longrepr: 'def test_bad():\n>       assert 404 == 200', file: 'tests/test_a.py', line: 7 },
        { nodeid: 'tests/test_b.py::test_db', outcome: 'error', message: 'fixture db failed', longrepr: 'ConnectionRefusedError' },
        { nodeid: 'tests/test_c.py::test_skip', outcome: 'skipped', message: 'not on CI' },
      ],
    });
    await ctx.seed(run);
    const res = await ctx.get(`/results/${run.run_id}`);
    expect(res.status).toBe(200);
    const detail = RunDetailSchema.parse(res.body);
    expect(res.body).not.toHaveProperty('tests');
    expect(res.body).not.toHaveProperty('pk');
    expect(detail).toMatchObject({ run_id: run.run_id, pass_rate: 1 / 3, summary: { total: 4, passed: 1, failed: 1, errors: 1, skipped: 1 } });
    expect(detail.failures).toEqual([
      { nodeid: 'tests/test_a.py::test_bad', outcome: 'failed', duration: 0, attempts: 1, file: 'tests/test_a.py', line: 7,
        message: 'AssertionError: assert 404 == 200', longrepr: 'def test_bad():\n>       assert 404 == 200', classification: 'new', quarantined: false },
      { nodeid: 'tests/test_b.py::test_db', outcome: 'error', duration: 0, attempts: 1, file: null, line: null,
        message: 'fixture db failed', longrepr: 'ConnectionRefusedError', classification: 'new', quarantined: false },
    ]);
    expect(detail).toMatchObject({ failures_total: 2, failures_next_cursor: null });
  });

  it('answers 404 not_found for an unknown run', async () => {
    const res = await ctx.get('/results/no-such-run');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('no-such-run') } });
  });
});
