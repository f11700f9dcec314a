import { z } from 'zod';
import { HealthSchema } from '../api.js';
import { defineRoute } from './route.js';

export const LivenessSchema = z.object({ status: z.literal('ok') }).strict();
export type Liveness = z.infer<typeof LivenessSchema>;

export const getHealthRoute = defineRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  tag: 'ops',
  summary: 'Redis, database and ingest backlog; never requires a token',
  public: true,
  response: {
    status: 200, name: 'Health', schema: HealthSchema, description: 'Redis and the database answer',
    alsoAnswers: { 503: 'Redis or the database does not answer' },
  },
  errors: {},
});

export const getLivenessRoute = defineRoute({
  method: 'get',
  path: '/livez',
  operationId: 'getLiveness',
  tag: 'ops',
  summary: 'The process answers (a liveness probe); checks neither Redis nor the database and never requires a token',
  public: true,
  response: { status: 200, schema: LivenessSchema, description: 'The process serves requests' },
  errors: {},
});
