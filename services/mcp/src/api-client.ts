import {
  BuildDetailSchema, BuildPageSchema, ErrorBodySchema, FailureGroupsSchema, FailureStatsSchema, FlakyTestsSchema, HealthSchema, RunComparisonSchema, RunDetailSchema, RunPageSchema,
  RunTestItemsSchema, SlowTestsSchema, TestHistorySchema, TrendSchema, WorkersSchema,
  describeIssues,
  type BuildDetail, type BuildPage, type FailureGroups, type FailureStats, type FlakyTests, type Health, type RunComparison, type RunDetail, type RunPage, type RunTestItem,
  type SlowTests, type TestHistory, type Trend, type Workers,
} from '@pytest-platform/schema';
import { z } from 'zod';

export const ProjectsSchema = z.object({ items: z.array(z.object({ project: z.string() })) });

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

export interface ResultsQuery {
  project?: string | undefined;
  branch?: string | undefined;
  worker_id?: string | undefined;
  build_id?: string | undefined;
  status?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface ApiClientOptions {
  /** Base URL without a trailing slash. */
  apiUrl: string;
  apiToken?: string | undefined;
  /** @defaultValue 10000 */
  timeoutMs?: number;
}

type Query = Record<string, string | number | readonly string[] | undefined>;

/** A typed client of the read API; every response is parsed with the shared schemas. */
export class ApiClient {
  readonly apiUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#token = options.apiToken;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  results(query: ResultsQuery = {}): Promise<RunPage> {
    return this.#get('/results', { ...query }, RunPageSchema);
  }

  /** The run with its failures, or `null` when the API does not know it. */
  async run(runId: string): Promise<RunDetail | null> {
    try {
      return await this.#get(`/results/${encodeURIComponent(runId)}`, {}, RunDetailSchema);
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 404) return null;
      throw error;
    }
  }

  /** One run's test results, optionally only one outcome or some node ids (asked in chunks of 200). */
  async runTests(runId: string, query: { outcome?: string | undefined; nodeids?: readonly string[] | undefined } = {}): Promise<RunTestItem[]> {
    const path = `/results/${encodeURIComponent(runId)}/tests`;
    if (query.nodeids === undefined) return (await this.#get(path, { outcome: query.outcome, limit: 10_000 }, RunTestItemsSchema)).items;
    const items: RunTestItem[] = [];
    for (let start = 0; start < query.nodeids.length; start += 200) {
      const body = await this.#get(path, { outcome: query.outcome, nodeid: query.nodeids.slice(start, start + 200) }, RunTestItemsSchema);
      items.push(...body.items);
    }
    return items;
  }

  builds(query: { project?: string | undefined; branch?: string | undefined; limit?: number | undefined; cursor?: string | undefined } = {}): Promise<BuildPage> {
    return this.#get('/builds', query, BuildPageSchema);
  }

  /** One build of a project with its runs, or `null` when the project has no such build. */
  async build(project: string, buildId: string): Promise<BuildDetail | null> {
    try {
      return await this.#get(`/builds/${encodeURIComponent(buildId)}`, { project }, BuildDetailSchema);
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 404) return null;
      throw error;
    }
  }

  trend(query: { project: string; branch?: string | undefined; limit?: number | undefined }): Promise<Trend> {
    return this.#get('/trend', query, TrendSchema);
  }

  workers(): Promise<Workers> {
    return this.#get('/workers', {}, WorkersSchema);
  }

  failureStats(query: { project?: string | undefined; branch?: string | undefined; days?: number | undefined; since?: string | undefined; tag?: string | undefined; limit?: number | undefined }): Promise<FailureStats> {
    return this.#get('/failures/stats', query, FailureStatsSchema);
  }

  testHistory(query: { project: string; nodeid: string; branch?: string | undefined; limit?: number | undefined }): Promise<TestHistory> {
    return this.#get('/tests/history', query, TestHistorySchema);
  }

  flaky(query: { project: string; branch?: string | undefined; window?: number | undefined; tag?: string | undefined; limit?: number | undefined }): Promise<FlakyTests> {
    return this.#get('/flaky', query, FlakyTestsSchema);
  }

  failureGroups(query: { project: string; branch?: string | undefined; days?: number | undefined; limit?: number | undefined }): Promise<FailureGroups> {
    return this.#get('/failures/groups', query, FailureGroupsSchema);
  }

  compare(query: { base: string; head: string; limit?: number | undefined }): Promise<RunComparison> {
    return this.#get('/compare', query, RunComparisonSchema);
  }

  slowest(query: { project: string; branch?: string | undefined; runs?: number | undefined; limit?: number | undefined }): Promise<SlowTests> {
    return this.#get('/tests/slowest', query, SlowTestsSchema);
  }

  async projects(): Promise<string[]> {
    const body = await this.#get('/projects', {}, ProjectsSchema);
    return body.items.map((item) => item.project);
  }

  health(): Promise<Health> {
    return this.#get('/health', {}, HealthSchema);
  }

  async #get<T>(path: string, query: Query, schema: z.ZodType<T>): Promise<T> {
    const url = new URL(this.apiUrl + path);
    for (const [key, value] of Object.entries(query)) {
      if (Array.isArray(value)) for (const item of value as readonly string[]) url.searchParams.append(key, item);
      else if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = (error as Error).name === 'TimeoutError'
        ? `no answer within ${this.#timeoutMs} ms`
        : cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ApiUnavailableError(this.apiUrl, `GET ${path}: ${detail}`);
    }
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiUnavailableError(this.apiUrl, `GET ${path} answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) {
      const body = ErrorBodySchema.safeParse(json);
      const code = body.success ? body.data.error.code : 'unknown';
      const message = body.success ? body.data.error.message : `HTTP ${response.status}`;
      if (response.status === 401) {
        throw new ApiRequestError(401, code, `The API at API_URL=${this.apiUrl} refused the request (401 ${message}); set API_TOKEN to the API's token.`);
      }
      if (response.status >= 500) throw new ApiUnavailableError(this.apiUrl, `GET ${path} answered ${response.status}: ${message}`);
      throw new ApiRequestError(response.status, code, `GET ${path} answered ${response.status}: ${message}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiUnavailableError(this.apiUrl, `GET ${path} answered with an unexpected body: ${describeIssues(parsed.error)}`);
    }
    return parsed.data;
  }
}
