import { z } from 'zod';
import { AcceptedSchema, RunDetailSchema, RunFailurePageSchema, RunPageSchema, RunTestItemsSchema, StoredRunStatusSchema } from '../api.js';
import { limits } from '../limits.js';
import { OutcomeSchema, RunResultSchema } from '../run-result.js';
import { internal, notFound, readErrors, unauthorized } from './error-responses.js';
import { anyProjectScope, count, cursor, isoTime, optionalName, tag } from './query-fields.js';
import { defineRoute } from './route.js';

/** Node ids one `GET /results/{run_id}/tests` may name; clients with more ask in chunks. */
export const MAX_NODEIDS = 200;

/** Failures one answer carries at most: `failures_limit` of `GET /results/{run_id}`, `limit` of its `/failures` pages. */
export const MAX_FAILURES_PAGE = 1_000;
const DEFAULT_FAILURES_PAGE = 100;

const RunParams = z.object({ run_id: z.string().describe('The run id.') });

export const postResultRoute = defineRoute({
  method: 'post',
  path: '/results',
  operationId: 'postResult',
  tag: 'results',
  summary: 'Queue one run (a RunResult) on the results stream',
  body: { name: 'RunResult', schema: RunResultSchema },
  response: { status: 202, name: 'Accepted', schema: AcceptedSchema, description: 'Accepted: on the stream, stored once ingest reads it' },
  errors: {
    400: { codes: ['invalid_json', 'invalid_body'], description: 'Body is not JSON or not a RunResult; the message names the fields' },
    401: unauthorized,
    403: { codes: ['forbidden'], description: 'Called with the read-only token (API_READ_TOKEN)' },
    409: { codes: ['run_id_taken'], description: 'The run_id belongs to a run of another project (a run belongs to the project that first stored it); nothing is queued' },
    413: { codes: ['payload_too_large'], description: `Body larger than ${limits.entryBytes} bytes` },
    415: { codes: ['unsupported_media_type'], description: 'Content-Type is not application/json' },
    500: internal,
    503: { codes: ['unavailable'], description: 'Redis is unavailable' },
  },
});

export const listResultsRoute = defineRoute({
  method: 'get',
  path: '/results',
  operationId: 'listResults',
  tag: 'results',
  summary: 'Runs, newest first, with keyset pagination',
  query: z.object({
    ...anyProjectScope(),
    worker_id: optionalName().describe('Only runs of this worker.'),
    build_id: optionalName().describe('Only runs of this CI build (pipeline / workflow run id with its attempt).'),
    status: StoredRunStatusSchema.optional().describe('Only runs with this status.'),
    since: isoTime('Runs started at or after.'),
    until: isoTime('Runs started before.'),
    limit: count(50, 500, 'Page size.'),
    cursor: cursor(),
  }),
  response: { status: 200, name: 'RunPage', schema: RunPageSchema },
  errors: readErrors,
});

export const getResultRoute = defineRoute({
  method: 'get',
  path: '/results/{run_id}',
  operationId: 'getResult',
  tag: 'results',
  summary: 'One run with the first page of its failed and error tests, each classified `new`, `recurring` or `flaky`',
  params: RunParams,
  query: z.object({
    failures_limit: z
      .number({ error: 'a whole number from 0' })
      .int({ error: 'a whole number from 0' })
      .min(0, { error: 'a whole number from 0' })
      .overwrite((n) => Math.min(n, MAX_FAILURES_PAGE))
      .default(DEFAULT_FAILURES_PAGE)
      .describe(
        `Failures in the answer, in test id order (the order the project first stored each test); 0 for the run and its counts alone. `
        + `The rest: \`GET /results/{run_id}/failures?cursor=failures_next_cursor\`. Values above ${MAX_FAILURES_PAGE} count as ${MAX_FAILURES_PAGE}.`,
      ),
  }),
  response: { status: 200, name: 'RunDetail', schema: RunDetailSchema },
  errors: { ...readErrors, 404: notFound('No run with this id') },
});

export const listResultFailuresRoute = defineRoute({
  method: 'get',
  path: '/results/{run_id}/failures',
  operationId: 'listResultFailures',
  tag: 'results',
  summary: "One run's failed and error tests, a page at a time, each classified `new`, `recurring` or `flaky`",
  params: RunParams,
  query: z.object({
    limit: count(DEFAULT_FAILURES_PAGE, MAX_FAILURES_PAGE, 'Page size.'),
    cursor: cursor(),
  }),
  response: { status: 200, name: 'RunFailurePage', schema: RunFailurePageSchema },
  errors: { ...readErrors, 404: notFound('No run with this id') },
});

export const listResultTestsRoute = defineRoute({
  method: 'get',
  path: '/results/{run_id}/tests',
  operationId: 'listResultTests',
  tag: 'results',
  summary: "One run's test results by node id, e.g. whether some tests passed in it",
  params: RunParams,
  query: z.object({
    outcome: OutcomeSchema.optional().describe('Only tests with this outcome.'),
    tag: tag('Only tests that carried this tag in this run; exact match.'),
    nodeid: z
      .array(z.string().min(1, { error: 'must not be empty' }).max(2_000))
      .max(MAX_NODEIDS, { error: `at most ${MAX_NODEIDS} node ids` })
      .optional()
      .describe(`Only these node ids; repeat the parameter for several (at most ${MAX_NODEIDS}).`),
    limit: count(1_000, 10_000, 'Number of tests.'),
  }),
  response: { status: 200, name: 'RunTestItems', schema: RunTestItemsSchema },
  errors: { ...readErrors, 404: notFound('No run with this id') },
});
