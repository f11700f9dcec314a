import { z } from 'zod';
import { limits } from '../limits.js';

/** `required` when the parameter is missing; zod's own message otherwise. */
const requiredMessage = (issue: { input: unknown }) => (issue.input === undefined ? 'required' : undefined);

/** A required text parameter: a name, an id or a node id. */
export const text = (maxLength = 255, tooLong?: string) =>
  z.string({ error: requiredMessage }).min(1, { error: 'must not be empty' }).max(maxLength, tooLong === undefined ? undefined : { error: tooLong });

/** An optional project, branch, worker or build name. */
export const optionalName = () => text().optional();

/** One test tag, matched exactly. */
export const tag = (
  description = 'Only tests that carried this tag (a pytest marker, Playwright tag, CTRF tag, JUnit property) in a stored run; exact match.',
) => text(limits.tagLength, `at most ${limits.tagLength} characters`).optional().describe(description);

/** A positive count (`limit`, `days`, …): `defaultValue` when absent, values above `max` count as `max`. */
export const count = (defaultValue: number, max: number, description: string) =>
  z
    .number({ error: 'a positive integer' })
    .int({ error: 'a positive integer' })
    .min(1, { error: 'at least 1' })
    .overwrite((n) => Math.min(n, max))
    .default(defaultValue)
    .describe(`${description} Values above ${max} count as ${max}.`);

/** An ISO 8601 date (`2026-11-26`) or date-time with offset; parsed to Unix milliseconds. */
export const isoTime = (description: string) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], {
      error: 'an ISO 8601 date or date-time, e.g. 2026-11-26 or 2026-11-26T10:00:00Z',
    })
    .meta({ examples: ['2026-11-26', '2026-11-26T10:00:00Z'] })
    .transform((value) => Date.parse(value))
    .optional()
    .describe(description);

/** The `next_cursor` of the previous page; longer for pages keyed by a name (a project, a worker id). */
export const cursor = (maxLength = 200) => z.string().min(1).max(maxLength).optional().describe('`next_cursor` of the previous page.');

/** The scope most reads take: one project (required), optionally one branch. */
export const projectScope = () => ({ project: text().describe('The project.'), branch: optionalName().describe('Only this branch.') });

/** The scope of reads across projects: optionally one project, optionally one branch. */
export const anyProjectScope = () => ({ project: optionalName().describe('Only this project.'), branch: optionalName().describe('Only this branch.') });
