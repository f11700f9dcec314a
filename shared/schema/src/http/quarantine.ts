import { z } from 'zod';
import { limits } from '../limits.js';
import { QUARANTINE_REASON_LENGTH, QuarantineChangedSchema, QuarantineListSchema } from '../quarantine.js';
import { internal, notFound, readErrors, unauthorized } from './error-responses.js';
import type { ErrorResponse } from './route.js';
import { count, text } from './query-fields.js';
import { defineRoute } from './route.js';

const project = () => text(limits.nameLength, `at most ${limits.nameLength} characters`).describe('The project.');
const nodeid = () => text(limits.nodeidLength, `at most ${limits.nodeidLength} characters`).describe('The test, by its node id.');

/** The errors of the two routes that change a quarantine. */
const writeErrors = (invalid: ErrorResponse): Readonly<Record<number, ErrorResponse>> => ({
  400: invalid,
  401: unauthorized,
  403: { codes: ['forbidden'], description: 'Called with the read-only token (API_READ_TOKEN)' },
  500: internal,
});

const QuarantineRequestSchema = z.object({
  project: project(),
  nodeid: nodeid(),
  reason: text(QUARANTINE_REASON_LENGTH, `at most ${QUARANTINE_REASON_LENGTH} characters`).describe('Why, for the people who read the list.'),
  expires_at: z.iso
    .datetime({ offset: true, error: 'an ISO 8601 date-time with offset, e.g. 2026-12-31T00:00:00Z' })
    .refine((value) => Date.parse(value) > Date.now(), { error: 'must be in the future' })
    .nullable()
    .optional()
    .describe('When the test leaves quarantine by itself; absent or null: only when released.'),
});

export const putQuarantineRoute = defineRoute({
  method: 'put',
  path: '/quarantine',
  operationId: 'putQuarantine',
  tag: 'quarantine',
  summary: 'Quarantine a test of a project (or change the reason or expiry of its quarantine); recorded in its history with `by: "api"`',
  body: { name: 'QuarantineRequest', schema: QuarantineRequestSchema },
  response: { status: 200, name: 'QuarantineChanged', schema: QuarantineChangedSchema },
  errors: {
    ...writeErrors({ codes: ['invalid_json', 'invalid_body'], description: 'Body is not JSON or not a quarantine request; the message names the field' }),
    415: { codes: ['unsupported_media_type'], description: 'Content-Type is not application/json' },
  },
});

export const deleteQuarantineRoute = defineRoute({
  method: 'delete',
  path: '/quarantine',
  operationId: 'deleteQuarantine',
  tag: 'quarantine',
  summary: 'Release a quarantined test; recorded in its history with `by: "api"`',
  query: z.object({
    project: project(),
    nodeid: nodeid(),
    reason: text(QUARANTINE_REASON_LENGTH, `at most ${QUARANTINE_REASON_LENGTH} characters`).optional().describe('Why it is released. @defaultValue "released through the API"'),
  }),
  response: { status: 200, name: 'QuarantineChanged', schema: QuarantineChangedSchema },
  errors: {
    ...writeErrors({ codes: ['invalid_query'], description: 'A query parameter is missing, unknown or invalid; the message names it' }),
    404: notFound('The test is not quarantined in this project'),
  },
});

export const getQuarantineRoute = defineRoute({
  method: 'get',
  path: '/quarantine',
  operationId: 'getQuarantine',
  tag: 'quarantine',
  summary: "A project's quarantined tests (expired entries left out), each with who, when, why and until when; with `history=true` every quarantine and release, newest first",
  query: z.object({
    project: project(),
    nodeid: nodeid().optional().describe('Only this test (its entry and its history).'),
    history: z
      .union([z.boolean(), z.enum(['true', 'false'], { error: 'true or false' })])
      .transform((value) => value === true || value === 'true')
      .default(false)
      .describe('Also return the history: every quarantine and release, newest first.'),
    limit: count(200, 1_000, 'History entries.'),
  }),
  response: { status: 200, name: 'QuarantineList', schema: QuarantineListSchema },
  errors: readErrors,
});
