import {
  AcceptedSchema, BuildDetailSchema, BuildPageSchema, buildStatusOrder, ErrorBodySchema, FailureGroupsSchema, FailureStatsSchema, FlakyTestsSchema, HealthSchema, limits, RunComparisonSchema,
  RunDetailSchema, RunPageSchema, RunResultSchema, RunTestItemsSchema, SlowTestsSchema, TestHistorySchema, outcomes, runStatuses, TrendSchema, WorkersSchema, type ErrorCode,
} from '@pytest-platform/schema';
import { z } from 'zod';
import { ProjectsSchema } from './routes/projects.js';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const errorRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

interface Param {
  name: string;
  in?: 'query' | 'path';
  description: string;
  schema: JsonSchema;
  required?: boolean;
}

const param = ({ in: where = 'query', required = where === 'path', ...rest }: Param) => ({ ...rest, in: where, required });
const text = { type: 'string', minLength: 1, maxLength: 255 };
const date = { type: 'string', description: 'ISO 8601 date or date-time', examples: ['2026-11-26', '2026-11-26T10:00:00Z'] };
const limit = (defaultValue: number, max: number) => ({ type: 'integer', minimum: 1, default: defaultValue, description: `clamped to ${max}` });

const params = {
  project: param({ name: 'project', description: 'Only this project.', schema: text }),
  branch: param({ name: 'branch', description: 'Only this branch.', schema: text }),
  tag: param({
    name: 'tag',
    description: 'Only tests that carried this tag (a pytest marker, Playwright tag, CTRF tag, JUnit property) in a stored run; exact match.',
    schema: { type: 'string', minLength: 1, maxLength: limits.tagLength },
  }),
};

const requiredProject = { ...params.project, required: true, description: 'The project.' };

const readErrors = { 400: errorRef('InvalidQuery'), 401: errorRef('Unauthorized'), 500: errorRef('Internal') };

/** The OpenAPI 3.1 document of this API, generated from the shared zod schemas. */
export function buildOpenApiDocument(options: { auth: boolean }): Record<string, unknown> {
  const errorResponse = (description: string, code: ErrorCode) => ({
    description: `${description} (\`${code}\`)`,
    content: json(ref('ErrorBody')),
  });
  const ok = (schema: string, description = 'OK') => ({ 200: { description, content: json(ref(schema)) } });

  return {
    openapi: '3.1.0',
    info: {
      title: 'pytest-platform API',
      version: '1.0.0',
      description:
        'Read API over stored test runs, and `POST /results` for workers that can only speak HTTP. JSON only; every error body is `{"error":{"code","message"}}`. ' +
        'Pass rate is `passed / (passed + failed + errors)`; a run that executed nothing has `null`.',
    },
    servers: [{ url: '/' }],
    ...(options.auth ? { security: [{ bearerAuth: [] }] } : {}),
    tags: [{ name: 'results' }, { name: 'builds' }, { name: 'stats' }, { name: 'intelligence' }, { name: 'ops' }],
    paths: {
      '/results': {
        post: {
          operationId: 'postResult',
          tags: ['results'],
          summary: 'Queue one run (a RunResult) on the results stream',
          requestBody: { required: true, content: json(ref('RunResult')) },
          responses: {
            202: { description: 'Accepted: on the stream, stored once ingest reads it', content: json(ref('Accepted')) },
            400: { description: 'Body is not JSON (`invalid_json`) or not a RunResult (`invalid_body`, naming the fields)', content: json(ref('ErrorBody')) },
            401: errorRef('Unauthorized'),
            403: errorResponse('Called with the read-only token (API_READ_TOKEN)', 'forbidden'),
            413: errorResponse(`Body larger than ${limits.entryBytes} bytes`, 'payload_too_large'),
            415: errorResponse('Content-Type is not application/json', 'unsupported_media_type'),
            500: errorRef('Internal'),
            503: errorResponse('Redis is unavailable', 'unavailable'),
          },
        },
        get: {
          operationId: 'listResults',
          tags: ['results'],
          summary: 'Runs, newest first, with keyset pagination',
          parameters: [
            params.project,
            params.branch,
            param({ name: 'worker_id', description: 'Only runs of this worker.', schema: text }),
            param({ name: 'build_id', description: 'Only runs of this CI build (pipeline / workflow run id with its attempt).', schema: text }),
            param({ name: 'status', description: 'Only runs with this status.', schema: { type: 'string', enum: [...runStatuses, 'running'] } }),
            param({ name: 'since', description: 'Runs started at or after.', schema: date }),
            param({ name: 'until', description: 'Runs started before.', schema: date }),
            param({ name: 'limit', description: 'Page size.', schema: limit(50, 500) }),
            param({ name: 'cursor', description: '`next_cursor` of the previous page.', schema: { type: 'string' } }),
          ],
          responses: { ...ok('RunPage'), ...readErrors },
        },
      },
      '/results/{run_id}': {
        get: {
          operationId: 'getResult',
          tags: ['results'],
          summary: 'One run with its failed and error tests, each classified `new`, `recurring` or `flaky`',
          parameters: [param({ name: 'run_id', in: 'path', description: 'The run id.', schema: { type: 'string' } })],
          responses: { ...ok('RunDetail'), 404: errorResponse('No run with this id', 'not_found'), ...readErrors },
        },
      },
      '/results/{run_id}/tests': {
        get: {
          operationId: 'listResultTests',
          tags: ['results'],
          summary: "One run's test results by node id, e.g. whether some tests passed in it",
          parameters: [
            param({ name: 'run_id', in: 'path', description: 'The run id.', schema: { type: 'string' } }),
            param({ name: 'outcome', description: 'Only tests with this outcome.', schema: { type: 'string', enum: [...outcomes] } }),
            { ...params.tag, description: 'Only tests that carried this tag in this run; exact match.' },
            {
              ...param({ name: 'nodeid', description: 'Only these node ids; repeat the parameter for several (at most 200).', schema: { type: 'array', items: { type: 'string' }, maxItems: 200 } }),
              style: 'form',
              explode: true,
            },
            param({ name: 'limit', description: 'Number of tests.', schema: limit(1000, 10000) }),
          ],
          responses: { ...ok('RunTestItems'), 404: errorResponse('No run with this id', 'not_found'), ...readErrors },
        },
      },
      '/builds': {
        get: {
          operationId: 'listBuilds',
          tags: ['builds'],
          summary:
            'CI builds (the runs sharing a `build_id` in a project, e.g. the shards of one pipeline), newest first by their first start: ' +
            `counts summed, status the worst of its runs (${buildStatusOrder.join(' > ')}), duration from the first start to the last finish (null while a run is running)`,
          parameters: [
            params.project,
            { ...params.branch, description: "Only builds on this branch (the branch of a build's first run)." },
            param({ name: 'limit', description: 'Page size.', schema: limit(20, 200) }),
            param({ name: 'cursor', description: '`next_cursor` of the previous page.', schema: { type: 'string' } }),
          ],
          responses: { ...ok('BuildPage'), ...readErrors },
        },
      },
      '/builds/{build_id}': {
        get: {
          operationId: 'getBuild',
          tags: ['builds'],
          summary: 'One build of a project with its runs in start order',
          parameters: [
            param({ name: 'build_id', in: 'path', description: 'The build id.', schema: { type: 'string' } }),
            { ...requiredProject, description: 'The project: build ids are per project.' },
          ],
          responses: { ...ok('BuildDetail'), 404: errorResponse('No build with this id in the project', 'not_found'), ...readErrors },
        },
      },
      '/trend': {
        get: {
          operationId: 'getTrend',
          tags: ['stats'],
          summary: 'Pass rate and counts of the last finished runs, oldest first',
          parameters: [
            { ...params.project, required: true, description: 'The project.' },
            params.branch,
            param({ name: 'limit', description: 'Number of runs.', schema: limit(30, 1000) }),
          ],
          responses: { ...ok('Trend'), ...readErrors },
        },
      },
      '/workers': {
        get: {
          operationId: 'listWorkers',
          tags: ['stats'],
          summary: 'Every worker: running, online (seen within WORKER_ONLINE_MINUTES) or offline',
          responses: { ...ok('Workers'), ...readErrors },
        },
      },
      '/failures/stats': {
        get: {
          operationId: 'getFailureStats',
          tags: ['stats'],
          summary: 'Tests that failed most often in the window; failure_rate = failures / runs',
          parameters: [
            params.project,
            params.branch,
            params.tag,
            param({ name: 'days', description: 'Window in whole UTC days, today included: `days=7` counts runs started since 00:00 UTC six days ago.', schema: limit(7, 365) }),
            param({ name: 'since', description: 'Instead of `days`: count runs started at or after this time (a rolling window, e.g. the last 24 hours). Giving both is a 400.', schema: date }),
            param({ name: 'limit', description: 'Number of tests.', schema: limit(20, 500) }),
          ],
          responses: { ...ok('FailureStats'), ...readErrors },
        },
      },
      '/failures/groups': {
        get: {
          operationId: 'getFailureGroups',
          tags: ['intelligence'],
          summary: 'Failures of the window grouped by signature (normalized message: numbers, ids, paths, quoted values masked; exception type kept)',
          parameters: [
            requiredProject,
            params.branch,
            param({ name: 'days', description: 'Window in whole UTC days, today included: `days=7` counts runs started since 00:00 UTC six days ago.', schema: limit(7, 365) }),
            param({ name: 'limit', description: 'Number of groups.', schema: limit(20, 200) }),
          ],
          responses: { ...ok('FailureGroups'), ...readErrors },
        },
      },
      '/flaky': {
        get: {
          operationId: 'getFlakyTests',
          tags: ['intelligence'],
          summary: 'Flaky tests of the last N runs with their evidence: passed after retries, passed and failed on one commit, or flipped back and forth',
          parameters: [
            requiredProject,
            params.branch,
            params.tag,
            param({ name: 'window', description: 'The last N finished runs.', schema: limit(30, 200) }),
            param({ name: 'limit', description: 'Number of tests.', schema: limit(50, 500) }),
          ],
          responses: { ...ok('FlakyTests'), ...readErrors },
        },
      },
      '/tests/history': {
        get: {
          operationId: 'getTestHistory',
          tags: ['intelligence'],
          summary: "One test's last results, newest first (among the project's newest 500 runs)",
          parameters: [
            requiredProject,
            param({ name: 'nodeid', description: 'The test node id.', schema: { type: 'string', minLength: 1, maxLength: 4096 }, required: true }),
            params.branch,
            param({ name: 'limit', description: 'Number of results.', schema: limit(30, 200) }),
          ],
          responses: { ...ok('TestHistory'), 404: errorResponse('No such test in the project', 'not_found'), ...readErrors },
        },
      },
      '/tests/slowest': {
        get: {
          operationId: 'getSlowestTests',
          tags: ['intelligence'],
          summary: 'Tests by median duration over the recent runs, slowest first, with the trend',
          parameters: [
            requiredProject,
            params.branch,
            param({ name: 'runs', description: 'Recent finished runs.', schema: limit(10, 50) }),
            param({ name: 'limit', description: 'Number of tests.', schema: limit(20, 200) }),
          ],
          responses: { ...ok('SlowTests'), ...readErrors },
        },
      },
      '/compare': {
        get: {
          operationId: 'compareRuns',
          tags: ['intelligence'],
          summary: 'What changed between two runs of one project: newly failing, fixed, still failing, added, removed, slower (> 50 % and > 100 ms)',
          parameters: [
            param({ name: 'base', description: 'The run compared from.', schema: { type: 'string' }, required: true }),
            param({ name: 'head', description: 'The run compared to.', schema: { type: 'string' }, required: true }),
            param({ name: 'limit', description: 'Tests listed per category (counts are complete).', schema: limit(100, 1000) }),
          ],
          responses: { ...ok('RunComparison'), 404: errorResponse('No run with this id', 'not_found'), ...readErrors },
        },
      },
      '/projects': {
        get: {
          operationId: 'listProjects',
          tags: ['stats'],
          summary: 'Projects that have runs',
          responses: { ...ok('Projects'), ...readErrors },
        },
      },
      '/health': {
        get: {
          operationId: 'getHealth',
          tags: ['ops'],
          summary: 'Redis, database and ingest backlog; never requires a token',
          security: [],
          responses: {
            200: { description: 'Redis and the database answer', content: json(ref('Health')) },
            503: { description: 'Redis or the database does not answer', content: json(ref('Health')) },
          },
        },
      },
      '/livez': {
        get: {
          operationId: 'getLiveness',
          tags: ['ops'],
          summary: 'The process answers (a liveness probe); checks neither Redis nor the database and never requires a token',
          security: [],
          responses: {
            200: {
              description: 'The process serves requests',
              content: json({ type: 'object', properties: { status: { type: 'string', const: 'ok' } }, required: ['status'], additionalProperties: false }),
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          tags: ['ops'],
          summary: 'This document',
          responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) }, 401: errorRef('Unauthorized') },
        },
      },
      '/docs/': {
        get: {
          operationId: 'getDocs',
          tags: ['ops'],
          summary: 'Swagger UI over this document',
          responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, 401: errorRef('Unauthorized') },
        },
      },
    },
    components: {
      schemas: {
        RunResult: jsonSchema(RunResultSchema, 'input'),
        Accepted: jsonSchema(AcceptedSchema),
        RunPage: jsonSchema(RunPageSchema),
        RunDetail: jsonSchema(RunDetailSchema),
        RunTestItems: jsonSchema(RunTestItemsSchema),
        BuildPage: jsonSchema(BuildPageSchema),
        BuildDetail: jsonSchema(BuildDetailSchema),
        Trend: jsonSchema(TrendSchema),
        Workers: jsonSchema(WorkersSchema),
        FailureStats: jsonSchema(FailureStatsSchema),
        FailureGroups: jsonSchema(FailureGroupsSchema),
        FlakyTests: jsonSchema(FlakyTestsSchema),
        TestHistory: jsonSchema(TestHistorySchema),
        SlowTests: jsonSchema(SlowTestsSchema),
        RunComparison: jsonSchema(RunComparisonSchema),
        Projects: jsonSchema(ProjectsSchema),
        Health: jsonSchema(HealthSchema),
        ErrorBody: jsonSchema(ErrorBodySchema),
      },
      responses: {
        InvalidQuery: errorResponse('A query parameter is unknown or invalid; the message names it', 'invalid_query'),
        Unauthorized: errorResponse('Missing or wrong bearer token', 'unauthorized'),
        Internal: errorResponse('Unexpected error', 'internal'),
      },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'API_TOKEN (every route) or API_READ_TOKEN (GET routes only)' } },
    },
  };
}
