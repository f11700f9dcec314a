import { z } from 'zod';
import { SlowTestsSchema, TestHistorySchema } from '../intelligence.js';
import { notFound, readErrors } from './error-responses.js';
import { count, optionalName, projectScope, tag, text } from './query-fields.js';
import { defineRoute } from './route.js';

export const getTestHistoryRoute = defineRoute({
  method: 'get',
  path: '/tests/history',
  operationId: 'getTestHistory',
  tag: 'intelligence',
  summary: "One test's last results, newest first (among the project's newest 500 runs)",
  query: z.object({
    project: text().describe('The project.'),
    nodeid: text(4_096).describe('The test node id.'),
    branch: optionalName().describe('Only this branch.'),
    limit: count(30, 200, 'Number of results.'),
  }),
  response: { status: 200, name: 'TestHistory', schema: TestHistorySchema },
  errors: { ...readErrors, 404: notFound('No such test in the project') },
});

export const getSlowestTestsRoute = defineRoute({
  method: 'get',
  path: '/tests/slowest',
  operationId: 'getSlowestTests',
  tag: 'intelligence',
  summary: 'Tests by median duration over the recent runs, slowest first, with the trend',
  query: z.object({
    ...projectScope(),
    tag: tag(),
    runs: count(10, 50, 'Recent finished runs.'),
    limit: count(20, 200, 'Number of tests.'),
  }),
  response: { status: 200, name: 'SlowTests', schema: SlowTestsSchema },
  errors: readErrors,
});
