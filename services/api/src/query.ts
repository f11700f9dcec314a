import { describeIssues, limits } from '@pytest-platform/schema';
import type { Context } from 'koa';
import { z } from 'zod';
import { HttpError } from './http-error.js';

/** A positive integer query parameter; values above `max` are clamped to it. */
export const limitParam = (defaultValue: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'a positive integer' })
    .transform(Number)
    .pipe(z.number().int().min(1, { message: 'at least 1' }))
    .transform((n) => Math.min(n, max))
    .optional()
    .transform((n) => n ?? defaultValue);

/** An ISO 8601 date (`2026-11-26`) or date-time with offset, as Unix milliseconds. */
export const dateParam = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'an ISO 8601 date or date-time, e.g. 2026-11-26 or 2026-11-26T10:00:00Z',
  })
  .transform((value) => Date.parse(value))
  .optional();

export const textParam = z.string().min(1, { message: 'must not be empty' }).max(255).optional();

/** One test tag, matched exactly. */
export const tagParam = z.string().min(1, { message: 'must not be empty' }).max(limits.tagLength, { message: `at most ${limits.tagLength} characters` }).optional();

/** A required project name. */
export const projectParam = z.string({ error: 'required' }).min(1, { message: 'must not be empty' }).max(255);

/** Validates `ctx.query` with `schema` (unknown parameters rejected); 400 `invalid_query` names the parameter. */
export function parseQuery<T extends z.ZodObject>(ctx: Context, schema: T): z.output<T> {
  const query: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ctx.query)) {
    if (Array.isArray(value)) throw new HttpError(400, 'invalid_query', `${key}: given more than once`);
    query[key] = value;
  }
  const result = schema.strict().safeParse(query);
  if (!result.success) throw new HttpError(400, 'invalid_query', describeIssues(result.error));
  return result.data as z.output<T>;
}
