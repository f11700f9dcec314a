import type { z } from 'zod';
import type { ErrorCode } from '../api.js';

/** The groups of the OpenAPI document. */
export type RouteTag = 'results' | 'builds' | 'stats' | 'intelligence' | 'quarantine' | 'ops';

/** A documented error answer: the `{"error":{"code","message"}}` codes it carries and when. */
export interface ErrorResponse {
  readonly codes: readonly ErrorCode[];
  readonly description: string;
  /** Shared in the OpenAPI document's `components.responses` under this name; inline when absent. */
  readonly component?: string;
}

/** The answer a route gives when it does its job. */
export interface SuccessResponse<S extends z.ZodType> {
  readonly status: 200 | 202;
  readonly schema: S;
  /** Name of the schema in the OpenAPI document's `components.schemas`; inline when absent. */
  readonly name?: string;
  /** @defaultValue `'OK'` */
  readonly description?: string;
  /** @defaultValue `'application/json'` */
  readonly contentType?: string;
  /** Other statuses answered with the same body, and when (`/health` answers 503 while a dependency is down). */
  readonly alsoAnswers?: Readonly<Record<number, string>>;
}

/** A request body: its schema and its name in the OpenAPI document's `components.schemas`. */
export interface RouteBody<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
}

/**
 * One HTTP route of the API: what it takes and what it answers. The API validates requests with
 * these schemas, the OpenAPI document is generated from them, and the MCP service calls the API
 * through them.
 */
export interface RouteContract<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends RouteBody | undefined = undefined,
  S extends z.ZodType = z.ZodType,
> {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI style: `/results/{run_id}`. */
  readonly path: `/${string}`;
  readonly operationId: string;
  readonly tag: RouteTag;
  readonly summary: string;
  /** Path parameters, named as in `path`. */
  readonly params: P;
  /**
   * Query parameters as the typed values a JSON client sends (numbers, ISO strings, arrays); see
   * `parseQueryString` for how a query string reads into them. Unknown parameters are refused.
   * `undefined` when the route reads no query (and ignores one).
   */
  readonly query: Q;
  readonly body: B;
  readonly response: SuccessResponse<S>;
  readonly errors: Readonly<Record<number, ErrorResponse>>;
  /** Answers without a token even when `API_TOKEN` is set (the probes). @defaultValue false */
  readonly public?: boolean;
}

export type AnyRoute = RouteContract<z.ZodObject | undefined, z.ZodObject | undefined, RouteBody | undefined, z.ZodType>;

/** A route as written down: without the params, query or body it does not have. */
type RouteDefinition<P, Q, B, S extends z.ZodType> = Omit<RouteContract<undefined, undefined, undefined, S>, 'params' | 'query' | 'body'> & {
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
};

/** Declares a route, keeping every schema's type; what it does not have is `undefined`. */
export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends RouteBody | undefined = undefined,
  S extends z.ZodType = z.ZodType,
>(route: RouteDefinition<P, Q, B, S>): RouteContract<P, Q, B, S> {
  return { params: undefined, query: undefined, body: undefined, ...route } as RouteContract<P, Q, B, S>;
}

type Parts<R> = R extends RouteContract<infer P, infer Q, infer B, infer S>
  ? { params: P; query: Q; body: B extends RouteBody ? B['schema'] : undefined; response: S }
  : never;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler of `R` receives: params, query and body parsed by the route's schemas. */
export interface RouteInput<R extends AnyRoute> {
  params: Parsed<Parts<R>['params']>;
  query: Parsed<Parts<R>['query']>;
  body: Parsed<Parts<R>['body']>;
}

/** The body `R` answers with. */
export type RouteOutput<R extends AnyRoute> = z.output<Parts<R>['response']>;

type Sent<S, Key extends string> = S extends z.ZodType ? (Record<never, never> extends z.input<S> ? { [K in Key]?: z.input<S> } : { [K in Key]: z.input<S> }) : unknown;

/** What a client sends to call `R`: its path params, query values and body, each when the route has one. */
export type RouteRequest<R extends AnyRoute> = Sent<Parts<R>['params'], 'params'> & Sent<Parts<R>['query'], 'query'> & Sent<Parts<R>['body'], 'body'>;
