import { z } from 'zod';
import { WorkersSchema } from '../api.js';
import { readErrors } from './error-responses.js';
import { defineRoute } from './route.js';

export const listWorkersRoute = defineRoute({
  method: 'get',
  path: '/workers',
  operationId: 'listWorkers',
  tag: 'stats',
  summary: 'Every worker: running, online (seen within WORKER_ONLINE_MINUTES) or offline',
  query: z.object({}),
  response: { status: 200, name: 'Workers', schema: WorkersSchema },
  errors: readErrors,
});
