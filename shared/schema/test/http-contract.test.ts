import {
  apiRoutes, describeIssues, formatQueryString, getFailureStatsRoute, listResultsRoute, listResultTestsRoute, parseQueryString, type RawQuery,
} from '@pytest-platform/schema';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

/** What a URL parser hands over for `search`: repeated keys as arrays, like Koa's `ctx.query`. */
function rawQuery(search: string | URLSearchParams): RawQuery {
  const params = new URLSearchParams(search);
  return Object.fromEntries([...new Set(params.keys())].map((key) => {
    const values = params.getAll(key);
    return [key, values.length === 1 ? values[0] : values];
  }));
}

const read = <Q extends z.ZodObject>(query: Q, search: string) => {
  const result = parseQueryString(query, rawQuery(search));
  return result.success ? { data: result.data } : { error: describeIssues(result.error) };
};

describe('the route contract', () => {
  it('declares each method and path once, with unique operation ids and path params named as in the path', () => {
    expect(new Set(apiRoutes.map((r) => `${r.method} ${r.path}`)).size).toBe(apiRoutes.length);
    expect(new Set(apiRoutes.map((r) => r.operationId)).size).toBe(apiRoutes.length);
    for (const route of apiRoutes) {
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(Object.keys(route.params?.shape ?? {}), route.path).toEqual(inPath);
    }
  });
});

describe('parseQueryString', () => {
  const query = listResultsRoute.query;

  it('reads counts as numbers, applies defaults and clamps to the maximum', () => {
    expect(read(query, '')).toEqual({ data: { limit: 50 } });
    expect(read(query, 'limit=7&project=123')).toEqual({ data: { limit: 7, project: '123' } });
    expect(read(query, 'limit=99999999999')).toEqual({ data: { limit: 500 } });
  });

  it('answers what the API answers for bad values, naming the parameter', () => {
    expect(read(query, 'limit=abc')).toEqual({ error: 'limit: a positive integer' });
    expect(read(query, 'limit=-5')).toEqual({ error: 'limit: a positive integer' });
    expect(read(query, 'limit=1.5')).toEqual({ error: 'limit: a positive integer' });
    expect(read(query, 'limit=0')).toEqual({ error: 'limit: at least 1' });
    expect(read(query, 'project=')).toEqual({ error: 'project: must not be empty' });
    expect(read(query, 'since=yesterday')).toEqual({ error: 'since: an ISO 8601 date or date-time, e.g. 2026-11-26 or 2026-11-26T10:00:00Z' });
    expect(read(query, 'branch=a&branch=b')).toEqual({ error: 'branch: given more than once' });
    expect(read(query, 'projet=x')).toEqual({ error: 'Unrecognized key: "projet"' });
    expect(read(getFailureStatsRoute.query, 'tag=' + 'x'.repeat(101))).toEqual({ error: 'tag: at most 100 characters' });
  });

  it('reads dates as Unix milliseconds and lets an array parameter repeat', () => {
    expect(read(query, 'since=2026-11-26')).toEqual({ data: { since: Date.UTC(2026, 10, 26), limit: 50 } });
    const tests = listResultTestsRoute.query;
    expect(read(tests, 'nodeid=a&nodeid=b')).toEqual({ data: { nodeid: ['a', 'b'], limit: 1_000 } });
    expect(read(tests, 'nodeid=a')).toEqual({ data: { nodeid: ['a'], limit: 1_000 } });
    expect(read(tests, 'nodeid=&nodeid=a')).toEqual({ error: 'nodeid.0: must not be empty' });
  });
});

describe('formatQueryString', () => {
  it('writes typed values the way parseQueryString reads them back', () => {
    const values = { project: 'shop', status: 'running', since: '2026-11-26T10:00:00Z', limit: 20 } as const;
    expect(read(listResultsRoute.query, formatQueryString(values).toString())).toEqual({
      data: { project: 'shop', status: 'running', since: Date.parse(values.since), limit: 20 },
    });
    const search = formatQueryString({ outcome: 'passed', nodeid: ['a::b', 'c d'], tag: undefined });
    expect(search.toString()).toBe('outcome=passed&nodeid=a%3A%3Ab&nodeid=c+d');
    expect(read(listResultTestsRoute.query, search.toString())).toEqual({ data: { outcome: 'passed', nodeid: ['a::b', 'c d'], limit: 1_000 } });
  });
});
