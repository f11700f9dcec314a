import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate, compileErrors } from '@readme/openapi-parser';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './test-context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

type Operation = { parameters?: { name: string; in: string; required: boolean }[]; responses: Record<string, unknown> };
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

  it('lists every route with its parameters and error responses', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual([
      'GET /builds', 'GET /builds/{build_id}', 'GET /compare', 'GET /docs/', 'GET /failures/groups', 'GET /failures/stats', 'GET /flaky', 'GET /health', 'GET /livez', 'GET /openapi.json',
      'GET /projects', 'GET /results', 'GET /results/{run_id}', 'GET /results/{run_id}/tests', 'GET /tests/history', 'GET /tests/slowest',
      'GET /trend', 'GET /workers', 'POST /results',
    ]);
    const names = (path: string) => (doc.paths[path]!.get!.parameters ?? []).map((p) => p.name);
    expect(names('/results')).toEqual(['project', 'branch', 'worker_id', 'build_id', 'status', 'since', 'until', 'limit', 'cursor']);
    expect(names('/results/{run_id}')).toEqual(['run_id']);
    expect(names('/results/{run_id}/tests')).toEqual(['run_id', 'outcome', 'tag', 'nodeid', 'limit']);
    expect(names('/builds')).toEqual(['project', 'branch', 'limit', 'cursor']);
    expect(names('/builds/{build_id}')).toEqual(['build_id', 'project']);
    expect(doc.paths['/builds/{build_id}']!.get!.parameters!.find((p) => p.name === 'project')).toMatchObject({ in: 'query', required: true });
    expect(Object.keys(doc.paths['/builds/{build_id}']!.get!.responses)).toContain('404');
    expect(names('/trend')).toEqual(['project', 'branch', 'limit']);
    expect(doc.paths['/trend']!.get!.parameters!.find((p) => p.name === 'project')!.required).toBe(true);
    expect(names('/failures/stats')).toEqual(['project', 'branch', 'tag', 'days', 'since', 'limit']);
    expect(names('/failures/groups')).toEqual(['project', 'branch', 'days', 'limit']);
    expect(names('/flaky')).toEqual(['project', 'branch', 'tag', 'window', 'limit']);
    expect(names('/tests/history')).toEqual(['project', 'nodeid', 'branch', 'limit']);
    expect(names('/tests/slowest')).toEqual(['project', 'branch', 'runs', 'limit']);
    expect(names('/compare')).toEqual(['base', 'head', 'limit']);
    expect(Object.keys(doc.paths['/results']!.post!.responses).sort()).toEqual(['202', '400', '401', '403', '413', '415', '500', '503']);
    expect(Object.keys(doc.paths['/results/{run_id}']!.get!.responses)).toContain('404');
    expect(Object.keys(doc.paths['/health']!.get!.responses).sort()).toEqual(['200', '503']);
    expect(Object.keys(doc.paths['/livez']!.get!.responses)).toEqual(['200']);
  });

  it('carries the shared schemas: the RunResult body and every response', () => {
    expect(Object.keys(doc.components.schemas).sort()).toEqual([
      'Accepted', 'BuildDetail', 'BuildPage', 'ErrorBody', 'FailureGroups', 'FailureStats', 'FlakyTests', 'Health', 'Projects', 'RunComparison', 'RunDetail', 'RunPage',
      'RunResult', 'RunTestItems', 'SlowTests', 'TestHistory', 'Trend', 'Workers',
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
