import { z } from 'zod';
import { RunComparisonSchema } from '../intelligence.js';
import { notFound, readErrors } from './error-responses.js';
import { count, text } from './query-fields.js';
import { defineRoute } from './route.js';

export const compareRunsRoute = defineRoute({
  method: 'get',
  path: '/compare',
  operationId: 'compareRuns',
  tag: 'intelligence',
  summary: 'What changed between two runs of one project: newly failing, fixed, still failing, added, removed, slower (> 50 % and > 100 ms)',
  query: z.object({
    base: text(128).describe('The run compared from.'),
    head: text(128).describe('The run compared to.'),
    limit: count(100, 1_000, 'Tests listed per category (counts are complete).'),
  }),
  response: { status: 200, name: 'RunComparison', schema: RunComparisonSchema },
  errors: { ...readErrors, 404: notFound('No run with this id') },
});
