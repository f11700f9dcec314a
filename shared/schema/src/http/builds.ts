import { z } from 'zod';
import { BuildDetailSchema, BuildPageSchema, buildStatusOrder } from '../builds.js';
import { notFound, readErrors } from './error-responses.js';
import { count, cursor, optionalName, text } from './query-fields.js';
import { defineRoute } from './route.js';

export const listBuildsRoute = defineRoute({
  method: 'get',
  path: '/builds',
  operationId: 'listBuilds',
  tag: 'builds',
  summary:
    'CI builds (the runs sharing a `build_id` in a project, e.g. the shards of one pipeline), newest first by their first start: ' +
    `counts summed, status the worst of its runs (${buildStatusOrder.join(' > ')}), duration from the first start to the last finish (null while a run is running)`,
  query: z.object({
    project: optionalName().describe('Only this project.'),
    branch: optionalName().describe("Only builds on this branch (the branch of a build's first run)."),
    limit: count(20, 200, 'Page size.'),
    cursor: cursor(),
  }),
  response: { status: 200, name: 'BuildPage', schema: BuildPageSchema },
  errors: readErrors,
});

export const getBuildRoute = defineRoute({
  method: 'get',
  path: '/builds/{build_id}',
  operationId: 'getBuild',
  tag: 'builds',
  summary: 'One build of a project with its runs in start order',
  params: z.object({ build_id: z.string().describe('The build id.') }),
  query: z.object({ project: text().describe('The project: build ids are per project.') }),
  response: { status: 200, name: 'BuildDetail', schema: BuildDetailSchema },
  errors: { ...readErrors, 404: notFound('No build with this id in the project') },
});
