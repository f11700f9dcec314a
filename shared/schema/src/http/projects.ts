import { z } from 'zod';
import { readErrors } from './error-responses.js';
import { count, cursor } from './query-fields.js';
import { defineRoute } from './route.js';

export const ProjectsSchema = z.object({ items: z.array(z.object({ project: z.string() })), next_cursor: z.string().nullable() });
export type Projects = z.infer<typeof ProjectsSchema>;

export const listProjectsRoute = defineRoute({
  method: 'get',
  path: '/projects',
  operationId: 'listProjects',
  tag: 'stats',
  summary: 'Projects that have runs, in name order, a page at a time',
  query: z.object({ limit: count(100, 1_000, 'Page size.'), cursor: cursor(4_000) }),
  response: { status: 200, name: 'Projects', schema: ProjectsSchema },
  errors: readErrors,
});
