import { z } from 'zod';
import { FlakyTestsSchema } from '../intelligence.js';
import { readErrors } from './error-responses.js';
import { count, projectScope, tag, text } from './query-fields.js';
import { defineRoute } from './route.js';

export const getFlakyTestsRoute = defineRoute({
  method: 'get',
  path: '/flaky',
  operationId: 'getFlakyTests',
  tag: 'intelligence',
  summary: 'Flaky tests of the last N runs with their evidence: passed after retries, passed and failed on one commit, or flipped back and forth',
  query: z.object({
    ...projectScope(),
    tag: tag(),
    nodeid: text(4_096).optional().describe('Only this test: its assessment, or no item when it is not flaky in the window.'),
    window: count(30, 200, 'The last N finished runs.'),
    limit: count(50, 500, 'Number of tests.'),
  }),
  response: { status: 200, name: 'FlakyTests', schema: FlakyTestsSchema },
  errors: readErrors,
});
