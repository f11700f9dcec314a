import { z } from 'zod';
import { readErrors } from './error-responses.js';
import { defineRoute } from './route.js';

export const ProjectsSchema = z.object({ items: z.array(z.object({ project: z.string() })) });
export type Projects = z.infer<typeof ProjectsSchema>;

export const listProjectsRoute = defineRoute({
  method: 'get',
  path: '/projects',
  operationId: 'listProjects',
  tag: 'stats',
  summary: 'Projects that have runs',
  query: z.object({}),
  response: { status: 200, name: 'Projects', schema: ProjectsSchema },
  errors: readErrors,
});
