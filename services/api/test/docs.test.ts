import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate, compileErrors } from '@readme/openapi-parser';
import { apiRoutes } from '@pytest-platform/schema';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

type Operation = { parameters?: { name: string; in: string; required: boolean; description?: string }[]; responses: Record<string, unknown>; security?: unknown[] };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

describe('GET /openapi.json', () => {
  let doc: Document;
  beforeAll(async () => {
    const res = await ctx.get('/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body as Document;
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('lists every route of the contract with its path and query parameters', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(apiRoutes.map((route) => `${route.method.toUpperCase()} ${route.path}`).sort());
    expect(operations).toEqual(expect.arrayContaining(['POST /results', 'GET /results/{run_id}/tests', 'GET /health', 'GET /livez', 'GET /openapi.json', 'GET /docs/']));
    for (const route of apiRoutes) {
      const parameters = doc.paths[route.path]![route.method]!.parameters ?? [];
      const declared = [...Object.keys(route.params?.shape ?? {}), ...Object.keys(route.query?.shape ?? {})];
      expect(parameters.map((p) => p.name), route.path).toEqual(declared);
      for (const p of parameters) expect(p.description, `${route.path} ${p.name}`).toEqual(expect.any(String));
    }
  });

  it('gives each parameter its bounds, default and whether it is required, from the schemas', () => {
    const parameter = (path: string, name: string) => doc.paths[path]!.get!.parameters!.find((p) => p.name === name);
    expect(parameter('/results', 'limit')).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, default: 50 }, description: expect.stringContaining('500') });
    expect(parameter('/results', 'status')).toMatchObject({ required: false, schema: { anyOf: expect.arrayContaining([expect.objectContaining({ const: 'running' })]) } });
    expect(parameter('/results', 'since')).toMatchObject({ schema: { examples: ['2026-11-26', '2026-11-26T10:00:00Z'] } });
    expect(parameter('/results/{run_id}/tests', 'run_id')).toMatchObject({ in: 'path', required: true });
    expect(parameter('/results/{run_id}/tests', 'nodeid')).toMatchObject({ style: 'form', explode: true, schema: { type: 'array', maxItems: 200 } });
    expect(parameter('/results/{run_id}/tests', 'tag')).toMatchObject({ schema: { type: 'string', minLength: 1, maxLength: 100 } });
    expect(parameter('/builds/{build_id}', 'project')).toMatchObject({ in: 'query', required: true });
    expect(parameter('/trend', 'project')).toMatchObject({ required: true, schema: { type: 'string', minLength: 1, maxLength: 255 } });
    expect(parameter('/compare', 'base')).toMatchObject({ required: true, schema: { maxLength: 128 } });
    expect(parameter('/results/{run_id}', 'failures_limit')).toMatchObject({ required: false, schema: { type: 'integer', minimum: 0, default: 100 }, description: expect.stringContaining('1000') });
    expect(parameter('/results/{run_id}/failures', 'limit')).toMatchObject({ required: false, schema: { type: 'integer', minimum: 1, default: 100 } });
    expect(parameter('/workers', 'cursor')).toMatchObject({ required: false, schema: { type: 'string', maxLength: 4000 } });
  });

  it('lists the error responses of each route', () => {
    const statuses = (path: string, method = 'get') => Object.keys(doc.paths[path]![method]!.responses).sort();
    expect(statuses('/results', 'post')).toEqual(['202', '400', '401', '403', '409', '413', '415', '500', '503']);
    expect(statuses('/results')).toEqual(['200', '400', '401', '500']);
    expect(statuses('/results/{run_id}')).toContain('404');
    expect(statuses('/builds/{build_id}')).toContain('404');
    expect(statuses('/health')).toEqual(['200', '503']);
    expect(statuses('/livez')).toEqual(['200']);
    expect(statuses('/quarantine', 'put')).toEqual(['200', '400', '401', '403', '415', '500']);
    expect(statuses('/quarantine', 'delete')).toEqual(['200', '400', '401', '403', '404', '500']);
    expect(statuses('/quarantine')).toEqual(['200', '400', '401', '500']);
    expect(doc.paths['/health']!.get!.security).toEqual([]);
    expect(doc.paths['/results']!.get!.responses['400']).toEqual({ $ref: '#/components/responses/InvalidQuery' });
  });

  it('carries the shared schemas: the RunResult body and every response', () => {
    expect(Object.keys(doc.components.schemas).sort()).toEqual([
      'Accepted', 'BuildDetail', 'BuildPage', 'ErrorBody', 'FailureGroups', 'FailureStats', 'FlakyTests', 'Health', 'Projects', 'QuarantineChanged', 'QuarantineList', 'QuarantineRequest',
      'RunComparison', 'RunDetail', 'RunFailurePage', 'RunPage', 'RunResult', 'RunTestItems', 'SlowTests', 'TestHistory', 'Trend', 'Workers',
    ]);
    expect(doc.components.schemas.RunResult).toMatchObject({ type: 'object', required: expect.arrayContaining(['run_id', 'project', 'started_at', 'status']) });
    expect(doc.components.schemas.BuildDetail).toMatchObject({ required: expect.arrayContaining(['build_id', 'status', 'run_count', 'duration', 'summary', 'shards', 'runs']) });
    expect(JSON.stringify(doc.components.schemas.RunPage)).toMatch(/"build_id".*"shard"/);
    expect(doc.components.schemas.ErrorBody).toMatchObject({ properties: { error: { properties: { code: { enum: expect.arrayContaining(['invalid_query', 'not_found']) } } } } });
  });
});

describe('GET /docs', () => {
  it('redirects /docs to /docs/', async () => {
    const res = await fetch(`${ctx.url}/docs`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/docs/');
  });

  it('serves the Swagger UI page with its assets from swagger-ui-dist, no remote host, loading /openapi.json', async () => {
    const res = await ctx.get('/docs/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = res.body as string;
    expect(html).toContain('<div id="swagger-ui">');
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+/i);
    const refs = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs).toEqual(expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-initializer.js']));

    const dist = getAbsoluteFSPath();
    for (const ref of refs.filter((r) => r !== 'swagger-initializer.js')) {
      const asset = await fetch(`${ctx.url}/docs/${ref}`);
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get('content-type'), ref).toMatch(ref.endsWith('.css') ? /^text\/css/ : ref.endsWith('.js') ? /^text\/javascript/ : /^image\/png/);
      expect(Buffer.from(await asset.arrayBuffer()).equals(readFileSync(join(dist, ref))), ref).toBe(true);
    }
    const init = await fetch(`${ctx.url}/docs/swagger-initializer.js`);
    expect(init.status).toBe(200);
    const script = await init.text();
    expect(script).toContain("'../openapi.json'");
    expect(script).not.toMatch(/https?:\/\//);
  });

  it('serves nothing else from the package', async () => {
    for (const path of ['/docs/package.json', '/docs/index.html', '/docs/..%2Fpackage.json', '/docs/swagger-ui.js.map']) {
      const res = await ctx.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });
});
