import type Router from '@koa/router';
import {
  describeIssues, limits, parseQueryString, type AnyRoute, type RouteInput, type RouteOutput,
} from '@pytest-platform/schema';
import type { Context } from 'koa';
import { HttpError } from './http-error.js';
import { readJsonBody } from './json-body.js';

/** Does the route's work with validated input; answers the route's response body. */
export type RouteHandler<R extends AnyRoute> = (input: RouteInput<R>, ctx: Context) => Promise<RouteOutput<R>> | RouteOutput<R>;

/** `/results/{run_id}` as the router writes it (`/results/:run_id`); the router matches with or without a trailing slash. */
export const routerPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1');

/**
 * Serves `route` of the contract on `router`: parses its path params, query and body with the
 * contract's schemas (400 `invalid_query` / `invalid_body` with a message naming the field), then
 * answers with what `handler` returns, with the route's status unless the handler set another.
 */
export function serveRoute<R extends AnyRoute>(router: Router, route: R, handler: RouteHandler<R>): void {
  router[route.method](routerPath(route.path), async (ctx) => {
    const input = { params: readParams(route, ctx.params), query: readQuery(route, ctx), body: await readBody(route, ctx) } as RouteInput<R>;
    ctx.status = route.response.status;
    if (route.response.contentType !== undefined) ctx.type = route.response.contentType;
    ctx.body = await handler(input, ctx);
  });
}

function readParams(route: AnyRoute, params: Record<string, string>): unknown {
  if (route.params === undefined) return undefined;
  const parsed = route.params.safeParse(params);
  if (!parsed.success) throw new HttpError(400, 'invalid_query', describeIssues(parsed.error));
  return parsed.data;
}

function readQuery(route: AnyRoute, ctx: Context): unknown {
  if (route.query === undefined) return undefined;
  const parsed = parseQueryString(route.query, ctx.query);
  if (!parsed.success) throw new HttpError(400, 'invalid_query', describeIssues(parsed.error));
  return parsed.data;
}

async function readBody(route: AnyRoute, ctx: Context): Promise<unknown> {
  if (route.body === undefined) return undefined;
  const parsed = route.body.schema.safeParse(await readJsonBody(ctx, limits.entryBytes));
  if (!parsed.success) throw new HttpError(400, 'invalid_body', describeIssues(parsed.error));
  return parsed.data;
}
