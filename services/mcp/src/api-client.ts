import {
  describeIssues, ErrorBodySchema, formatQueryString, getBuildRoute, getResultRoute, getTrendRoute, listProjectsRoute, listResultFailuresRoute,
  listResultsRoute, listResultTestsRoute, listWorkersRoute, getFailureStatsRoute, MAX_NODEIDS,
  type AnyRoute, type BuildDetail, type RouteOutput, type RouteRequest, type RunDetail, type RunFailurePage, type RunTestItem, type Worker,
} from '@pytest-platform/schema';

/** Pages of 1,000 a reader follows at most where it needs a whole list (every project, every worker). */
const MAX_FOLLOWED_PAGES = 20;

/** The API could not be reached, answered with a server error, or sent something unreadable. */
export class ApiUnavailableError extends Error {
  constructor(apiUrl: string, detail: string) {
    super(`The pytest-platform API at API_URL=${apiUrl} is not reachable (${detail}). Start it (npm run api) or point API_URL (alias MASTER_URL) at a running API.`);
  }
}

/** The API answered with a 4xx error body. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  /** Base URL without a trailing slash. */
  apiUrl: string;
  apiToken?: string | undefined;
  /** @defaultValue 10000 */
  timeoutMs?: number;
}

/** The request of `R`, optional when nothing in it is required. */
type RequestArgs<R extends AnyRoute> = Record<never, never> extends RouteRequest<R> ? [request?: RouteRequest<R>] : [request: RouteRequest<R>];

/** `/results/{run_id}` with `params.run_id` put in, encoded. */
const fillPath = (path: string, params: Readonly<Record<string, unknown>>) =>
  path.replace(/\{(\w+)\}/g, (_match, name: string) => encodeURIComponent(String(params[name])));

/** A client of the API over its route contract; every answer is parsed with the route's response schema. */
export class ApiClient {
  readonly apiUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#token = options.apiToken;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Calls `route` with its path params and query values; resolves with its parsed response body. */
  async call<R extends AnyRoute>(route: R, ...[request]: RequestArgs<R>): Promise<RouteOutput<R>> {
    const { params = {}, query = {}, body } = (request ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
    const path = fillPath(route.path, params);
    const search = formatQueryString(query).toString();
    const method = route.method.toUpperCase();
    const json = await this.#fetchJson(`${method} ${path}`, new URL(this.apiUrl + path + (search ? `?${search}` : '')), method, body);
    const parsed = route.response.schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiUnavailableError(this.apiUrl, `${method} ${path} answered with an unexpected body: ${describeIssues(parsed.error)}`);
    }
    return parsed.data as RouteOutput<R>;
  }

  // Shorthands for the routes the report, digest and alert code read most.
  results(query: RouteRequest<typeof listResultsRoute>['query'] = {}) {
    return this.call(listResultsRoute, { query });
  }

  trend(query: RouteRequest<typeof getTrendRoute>['query']) {
    return this.call(getTrendRoute, { query });
  }

  /** Every worker, following `/workers` pages (at most {@link MAX_FOLLOWED_PAGES} of 1,000). */
  async workers(): Promise<{ items: Worker[] }> {
    return { items: await this.#follow((cursor) => this.call(listWorkersRoute, { query: { limit: 1_000, cursor } })) };
  }

  failureStats(query: RouteRequest<typeof getFailureStatsRoute>['query'] = {}) {
    return this.call(getFailureStatsRoute, { query });
  }

  /**
   * The run with the first `failuresLimit` of its failures (the API's default, 100, when absent; 0 for
   * none), `failures_total` and the cursor to the rest; `null` when the API does not know it.
   */
  run(runId: string, options: { failuresLimit?: number | undefined } = {}): Promise<RunDetail | null> {
    return orNullWhenNotFound(this.call(getResultRoute, { params: { run_id: runId }, query: { failures_limit: options.failuresLimit } }));
  }

  /** One page of a run's failures after `cursor` (from the start when absent), or `null` when the API does not know the run. */
  runFailures(runId: string, page: { limit: number; cursor?: string | undefined }): Promise<RunFailurePage | null> {
    return orNullWhenNotFound(this.call(listResultFailuresRoute, { params: { run_id: runId }, query: page }));
  }

  /** One build of a project with its runs, or `null` when the project has no such build. */
  build(project: string, buildId: string): Promise<BuildDetail | null> {
    return orNullWhenNotFound(this.call(getBuildRoute, { params: { build_id: buildId }, query: { project } }));
  }

  /** One run's test results, optionally only one outcome or some node ids (asked in chunks the API takes). */
  async runTests(runId: string, query: { outcome?: RunTestItem['outcome'] | undefined; nodeids?: readonly string[] | undefined } = {}): Promise<RunTestItem[]> {
    const params = { run_id: runId };
    if (query.nodeids === undefined) return (await this.call(listResultTestsRoute, { params, query: { outcome: query.outcome, limit: 10_000 } })).items;
    const items: RunTestItem[] = [];
    for (let start = 0; start < query.nodeids.length; start += MAX_NODEIDS) {
      const nodeid = query.nodeids.slice(start, start + MAX_NODEIDS);
      items.push(...(await this.call(listResultTestsRoute, { params, query: { outcome: query.outcome, nodeid } })).items);
    }
    return items;
  }

  /** Every project that has runs, in name order, following `/projects` pages (at most {@link MAX_FOLLOWED_PAGES} of 1,000). */
  async projects(): Promise<string[]> {
    const items = await this.#follow((cursor) => this.call(listProjectsRoute, { query: { limit: 1_000, cursor } }));
    return items.map((item) => item.project);
  }

  async #follow<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_FOLLOWED_PAGES; pages++) {
      const answer = await page(cursor);
      items.push(...answer.items);
      if (answer.next_cursor === null) break;
      cursor = answer.next_cursor;
    }
    return items;
  }

  async #fetchJson(what: string, url: URL, method: string, body: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = (error as Error).name === 'TimeoutError'
        ? `no answer within ${this.#timeoutMs} ms`
        : cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ApiUnavailableError(this.apiUrl, `${what}: ${detail}`);
    }
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiUnavailableError(this.apiUrl, `${what} answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) throw this.#refusal(what, response.status, json);
    return json;
  }

  #refusal(what: string, status: number, json: unknown): Error {
    const body = ErrorBodySchema.safeParse(json);
    const code = body.success ? body.data.error.code : 'unknown';
    const message = body.success ? body.data.error.message : `HTTP ${status}`;
    if (status === 401) return new ApiRequestError(401, code, `The API at API_URL=${this.apiUrl} refused the request (401 ${message}); set API_TOKEN to the API's token.`);
    if (status >= 500) return new ApiUnavailableError(this.apiUrl, `${what} answered ${status}: ${message}`);
    return new ApiRequestError(status, code, `${what} answered ${status}: ${message}`);
  }
}

async function orNullWhenNotFound<T>(answer: Promise<T>): Promise<T | null> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) return null;
    throw error;
  }
}
