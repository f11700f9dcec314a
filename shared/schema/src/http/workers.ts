import { z } from 'zod';
import { WorkersSchema } from '../api.js';
import { readErrors } from './error-responses.js';
import { count, cursor } from './query-fields.js';
import { defineRoute } from './route.js';

export const listWorkersRoute = defineRoute({
  method: 'get',
  path: '/workers',
  operationId: 'listWorkers',
  tag: 'stats',
  summary: 'Workers by id, a page at a time: running, online (seen within WORKER_ONLINE_MINUTES) or offline',
  query: z.object({ limit: count(100, 1_000, 'Page size.'), cursor: cursor(4_000) }),
  response: { status: 200, name: 'Workers', schema: WorkersSchema },
  errors: readErrors,
});
