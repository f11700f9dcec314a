import { randomUUID } from 'node:crypto';
import { ProjectsSchema, RunDetailSchema, RunFailurePageSchema, WorkersSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../../../test-support/runs.js';
import { startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

const nodeid = (i: number) => `tests/test_import.py::test_${String(i).padStart(5, '0')}`;
const FAILURES = 1_500;

describe("GET /results/{run_id} and its failures' pages", () => {
  const runId = `big-${randomUUID()}`;
  beforeAll(async () => {
    await ctx.seed(makeRun({
      run_id: runId, project: `big-${randomUUID()}`,
      tests: [
        ...Array.from({ length: 300 }, (_, i) => ({ nodeid: `tests/test_ok.py::test_${i}`, outcome: 'passed' as const })),
        ...Array.from({ length: FAILURES }, (_, i) => ({
          nodeid: nodeid(i), outcome: i % 100 === 3 ? 'error' as const : 'failed' as const, message: `ImportError: no module named x${i}`, longrepr: `E   ImportError ${i}`,
        })),
      ],
    }));
  });

  it('answers the first 100 failures by default, with failures_total and a cursor to the rest', async () => {
    const res = await ctx.get(`/results/${runId}`);
    expect(res.status).toBe(200);
    const detail = RunDetailSchema.parse(res.body);
    expect(detail.failures.map((f) => f.nodeid)).toEqual(Array.from({ length: 100 }, (_, i) => nodeid(i)));
    expect(detail.failures[3]).toMatchObject({ outcome: 'error', message: 'ImportError: no module named x3', longrepr: 'E   ImportError 3', classification: 'new' });
    expect(detail.failures_total).toBe(FAILURES);
    expect(detail.failures_next_cursor).toEqual(expect.any(String));
    expect(detail.summary).toMatchObject({ failed: FAILURES - 15, errors: 15, passed: 300 });
  });

  it('takes failures_limit from 0 (the run and its counts alone) up to 1,000 (larger values count as 1,000)', async () => {
    const sizes: Record<string, number> = { 0: 0, 1: 1, 250: 250, 1000: 1_000, 100000: 1_000 };
    for (const [limit, expected] of Object.entries(sizes)) {
      const detail = RunDetailSchema.parse((await ctx.get(`/results/${runId}?failures_limit=${limit}`)).body);
      expect(detail.failures, limit).toHaveLength(expected);
      expect(detail.failures_total).toBe(FAILURES);
    }
    const none = RunDetailSchema.parse((await ctx.get(`/results/${runId}?failures_limit=0`)).body);
    const first = await ctx.get(`/results/${runId}/failures?limit=2&cursor=${none.failures_next_cursor}`);
    expect(RunFailurePageSchema.parse(first.body).items.map((f) => f.nodeid)).toEqual([nodeid(0), nodeid(1)]);
  });

  it('pages through every failure with the cursor: each once, in order, classified as in the run, the total on each page', async () => {
    const head = RunDetailSchema.parse((await ctx.get(`/results/${runId}?failures_limit=100`)).body);
    const seen = head.failures.map((f) => f.nodeid);
    let cursor = head.failures_next_cursor;
    let pages = 0;
    while (cursor !== null && pages < 20) {
      const res = await ctx.get(`/results/${runId}/failures?limit=400&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(200);
      const page = RunFailurePageSchema.parse(res.body);
      expect(page).toMatchObject({ run_id: runId, total: FAILURES });
      expect(page.items.every((f) => f.classification === 'new')).toBe(true);
      seen.push(...page.items.map((f) => f.nodeid));
      cursor = page.next_cursor;
      pages += 1;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: FAILURES }, (_, i) => nodeid(i)));
    const start = RunFailurePageSchema.parse((await ctx.get(`/results/${runId}/failures`)).body);
    expect(start.items).toEqual(head.failures);
  });

  it('answers 400 invalid_query naming the parameter, and 404 for an unknown run', async () => {
    for (const [path, name] of [
      [`/results/${runId}?failures_limit=-1`, 'failures_limit'],
      [`/results/${runId}?failures_limit=many`, 'failures_limit'],
      [`/results/${runId}?failures_limit=1.5`, 'failures_limit'],
      [`/results/${runId}?limit=5`, 'limit'],
      [`/results/${runId}/failures?limit=0`, 'limit'],
      [`/results/${runId}/failures?cursor=garbage`, 'cursor'],
      [`/results/${runId}/failures?cursor=${Buffer.from('["x"]').toString('base64url')}`, 'cursor'],
      [`/results/${runId}/failures?cursor=${'x'.repeat(201)}`, 'cursor'],
    ]) {
      const res = await ctx.get(path!);
      expect(res.status, path).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining(name!) } });
    }
    const unknown = await ctx.get('/results/no-such-run/failures');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('no-such-run') } });
  });
});

describe('GET /workers and GET /projects, a page at a time', () => {
  let paged: TestContext;
  const names = ['ant', 'bee', 'cat', 'dog', 'eel'];
  beforeAll(async () => {
    paged = await startApp();
    for (const [i, name] of names.entries()) {
      const at = { started_at: new Date(Date.now() - (i + 2) * 60_000).toISOString(), finished_at: new Date(Date.now() - 60_000).toISOString() };
      await paged.seed(makeRun({ worker_id: `worker-${name}`, project: `project-${name}`, ...at }));
      if (i % 2 === 0) await paged.seed(makeRun({ worker_id: `worker-${name}`, project: `project-${name}`, ...at }));
    }
  });
  afterAll(() => paged.close());

  async function follow(path: string, parse: (body: unknown) => { items: unknown[]; next_cursor: string | null }): Promise<{ items: unknown[]; pages: number }> {
    const items: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await paged.get(`${path}?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(res.status).toBe(200);
      const page = parse(res.body);
      expect(page.items.length).toBeLessThanOrEqual(2);
      items.push(...page.items);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    return { items, pages };
  }

  it('/workers: limit and cursor lead through every worker once, in id order, each page with its own numbers', async () => {
    const all = WorkersSchema.parse((await paged.get('/workers')).body);
    expect(all.items.map((w) => w.worker_id)).toEqual(names.map((n) => `worker-${n}`));
    expect(all.next_cursor).toBeNull();
    const { items, pages } = await follow('/workers', (body) => WorkersSchema.parse(body));
    expect(pages).toBe(3);
    expect(items).toEqual(all.items);
    expect(all.items.map((w) => w.runs_24h)).toEqual([2, 1, 2, 1, 2]);
  });

  it('/projects: limit and cursor lead through every project once, in name order', async () => {
    const all = ProjectsSchema.parse((await paged.get('/projects')).body);
    expect(all).toEqual({ items: names.map((n) => ({ project: `project-${n}` })), next_cursor: null });
    const { items, pages } = await follow('/projects', (body) => ProjectsSchema.parse(body));
    expect(pages).toBe(3);
    expect(items).toEqual(all.items);
    const one = ProjectsSchema.parse((await paged.get('/projects?limit=5')).body);
    expect(one.next_cursor).toBeNull();
  });

  it('answer 400 invalid_query to a bad limit or a cursor they did not hand out', async () => {
    const workerCursor = WorkersSchema.parse((await paged.get('/workers?limit=1')).body).next_cursor!;
    const projectCursor = ProjectsSchema.parse((await paged.get('/projects?limit=1')).body).next_cursor!;
    for (const [path, name] of [
      ['/workers?limit=0', 'limit'], ['/workers?cursor=garbage', 'cursor'], [`/workers?cursor=${Buffer.from('[7]').toString('base64url')}`, 'cursor'],
      ['/projects?limit=x', 'limit'], ['/projects?cursor=garbage', 'cursor'], ['/projects?limit=1&limit=2', 'limit'],
    ]) {
      const res = await paged.get(path!);
      expect(res.status, path).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_query', message: expect.stringContaining(name!) } });
    }
    // A cursor is a position, not a secret: the other route's works where its key type matches (both are names).
    expect((await paged.get(`/workers?cursor=${workerCursor}`)).status).toBe(200);
    expect((await paged.get(`/projects?cursor=${projectCursor}`)).status).toBe(200);
    expect(WorkersSchema.parse((await paged.get('/workers?limit=100000')).body).items).toHaveLength(names.length);
  });
});
