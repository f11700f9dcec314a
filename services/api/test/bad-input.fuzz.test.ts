import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { RunResultSchema } from '@pytest-platform/schema';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildOpenApiDocument } from '../src/openapi.js';
import { anyData, FUZZ_RUNS, FUZZ_TIMEOUT_MS, hostileString, mutatedRun } from '../../../test-support/bad-input.js';
import { makeRun } from '../../../test-support/runs.js';
import { startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
const seeded = [makeRun({ project: 'shop' }), makeRun({ project: 'shop', branch: 'dev' }), makeRun({ project: 'other' })];

beforeAll(async () => {
  ctx = await startApp();
  for (const run of seeded) ctx.seed(run);
});
afterAll(() => ctx.close());

/** Every row of every table, hashed: any write at all changes it. */
function databaseChecksum(): string {
  if (ctx.store.dialect !== 'sqlite') throw new Error('sqlite only');
  const sqlite = ctx.store.sqlite;
  const tables = sqlite.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[];
  const hash = createHash('sha256');
  for (const { name } of tables) {
    hash.update(name);
    const rows = sqlite.prepare(`select * from "${name}"`).all().map((row) => JSON.stringify(row));
    for (const row of rows.sort()) hash.update(row);
  }
  return hash.digest('hex');
}

const statuses = (counts: Map<number, number>) => Object.fromEntries([...counts].sort());

describe('POST /results under bad input', () => {
  test(`${FUZZ_RUNS} generated bodies: 202 or 400/415, never a 500, nothing written for what was refused`, async () => {
    const body = fc.oneof(
      { weight: 3, arbitrary: anyData.map((text) => ({ text, type: 'application/json' })) },
      { weight: 3, arbitrary: mutatedRun.map((text) => ({ text, type: 'application/json' })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ text: Buffer.from(bytes), type: 'application/json' })) },
      { weight: 1, arbitrary: fc.tuple(anyData, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '')).map(([text, type]) => ({ text, type })) },
    );
    const before = databaseChecksum();
    const lengthBefore = await ctx.redis.xlen(ctx.stream);
    const seen = new Map<number, number>();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async ({ text, type }) => {
        const headers: Record<string, string> = type ? { 'content-type': type } : {};
        const response = await fetch(`${ctx.url}/results`, { method: 'POST', headers, body: text });
        const reply = (await response.json()) as { error?: { code: string; message: string } };
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        expect([202, 400, 415]).toContain(response.status);
        if (response.status === 202) {
          accepted++;
          expect(RunResultSchema.safeParse(JSON.parse(Buffer.from(text).toString('utf8'))).success).toBe(true);
        } else {
          expect(reply.error?.code).toMatch(/^(invalid_json|invalid_body|unsupported_media_type)$/);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(await ctx.redis.xlen(ctx.stream)).toBe(lengthBefore + accepted);
    expect(databaseChecksum()).toBe(before);
    expect(ctx.logs.filter((line) => line.level === 50)).toEqual([]);
    console.info(`POST /results: ${FUZZ_RUNS} bodies, statuses ${JSON.stringify(statuses(seen))}`);
  }, FUZZ_TIMEOUT_MS);
});

interface Parameter {
  name: string;
  in: 'query' | 'path';
  schema: { type?: string; enum?: string[] };
}

/** Every GET route of the OpenAPI document with its parameters, so new routes are fuzzed without touching this file. */
const routes = Object.entries(buildOpenApiDocument({ auth: false }).paths as Record<string, { get?: { parameters?: Parameter[] } }>)
  .filter(([, item]) => item.get)
  .map(([path, item]) => ({ path, parameters: item.get?.parameters ?? [] }));

const hostileValue = fc.oneof(
  hostileString,
  fc.constantFrom(
    "1' OR '1'='1", '1; DROP TABLE runs', "' UNION SELECT * FROM runs --", '%', '_', '\\', '"', '`', '*', '0', '-1', '1e309', 'NaN', 'Infinity',
    '99999999999999999999999', String(Number.MAX_SAFE_INTEGER), '1.5', '0x10', ' 5', '2026-13-45', '2026-02-30T25:61:00Z', '0000-00-00',
    '+275760-09-13T00:00:00Z', '2026-11-26T10:00:00', 'yesterday', '2026-11-26', '2026-11-26T10:00:00Z', '', 'x'.repeat(5000),
  ),
  fc.integer().map(String),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
);

/** Percent-encodes a path segment; a lone surrogate goes out as its raw (invalid) UTF-8 bytes, and `%zz` style values raw. */
const encodePathSegment = (value: string) =>
  /^%[0-9A-Za-z]{0,2}$/.test(value) ? value : value.replace(/[\ud800-\udfff]/g, '\ufffd').split('\ufffd').map(encodeURIComponent).join('%ED%A0%80');

const request = fc.constantFrom(...routes).chain((route) =>
  fc.record({
    route: fc.constant(route),
    pathValues: fc.array(fc.oneof(hostileValue, fc.constantFrom(...seeded.map((run) => run.run_id), '%', '%zz', '%E0', '..', '.')), { minLength: 2, maxLength: 2 }),
    query: fc.array(
      fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...route.parameters.filter((p) => p.in === 'query').map((p) => p.name), 'unknown') }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }), fc.oneof(hostileValue, fc.constantFrom(...seeded.map((run) => run.run_id), 'shop', 'main', 'passed'))),
      { maxLength: 5 },
    ),
  }),
);

describe('every query parameter of every GET route under bad input', () => {
  test(`${FUZZ_RUNS} generated requests: 200, 400 or 404 with a JSON body, never a 500; the database unchanged`, async () => {
    expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/results', '/results/{run_id}', '/results/{run_id}/tests', '/trend', '/failures/stats', '/compare']));
    const before = databaseChecksum();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ route, pathValues, query }) => {
        let index = 0;
        const path = route.path.replace(/\{[^}]+\}/g, () => encodePathSegment(pathValues[index++] ?? 'x'));
        const search = new URLSearchParams(query).toString();
        const response = await fetch(`${ctx.url}${path}${search ? `?${search}` : ''}`);
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        const text = await response.text();
        expect([200, 400, 404, 503], `${path}?${search}: ${text.slice(0, 300)}`).toContain(response.status);
        if (path.startsWith('/docs')) return;
        const body = JSON.parse(text) as { items?: unknown[]; error?: { code: string; message: string } };
        if (response.status === 400) expect(body.error?.code).toBe('invalid_query');
        if (response.status === 200 && Array.isArray(body.items)) expect(body.items.length).toBeLessThanOrEqual(10_000);
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(databaseChecksum()).toBe(before);
    expect(ctx.logs.filter((line) => line.level === 50)).toEqual([]);
    console.info(`GET routes (${routes.length}): ${FUZZ_RUNS} requests, statuses ${JSON.stringify(statuses(seen))}`);
  }, FUZZ_TIMEOUT_MS);

  test('huge limits are clamped, bad dates and SQL metacharacters are answered 400 or as plain text', async () => {
    const page = await ctx.get('/results?limit=99999999999');
    expect(page.status).toBe(200);
    expect((page.body as { items: unknown[] }).items).toHaveLength(3);
    expect((await ctx.get('/results?since=2026-02-30')).status).toBe(400);
    expect((await ctx.get("/results?project=shop'%20OR%20'1'='1")).body).toEqual({ items: [], next_cursor: null });
    expect(((await ctx.get('/results?project=%25')).body as { items: unknown[] }).items).toEqual([]);
  });
});
