import { z } from 'zod';
import { TrendSchema } from '../api.js';
import { readErrors } from './error-responses.js';
import { count, projectScope } from './query-fields.js';
import { defineRoute } from './route.js';

export const getTrendRoute = defineRoute({
  method: 'get',
  path: '/trend',
  operationId: 'getTrend',
  tag: 'stats',
  summary: 'Pass rate and counts of the last finished runs, oldest first',
  query: z.object({
    ...projectScope(),
    limit: count(30, 1_000, 'Number of runs.'),
  }),
  response: { status: 200, name: 'Trend', schema: TrendSchema },
  errors: readErrors,
});
