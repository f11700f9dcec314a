import { readFileSync } from 'node:fs';
import { describeIssues } from '@pytest-platform/schema';
import { z } from 'zod';

let schema: z.ZodType | null = null;

/** The CTRF 1.0 JSON Schema (shipped in `schemas/`, from ctrf-io/ctrf, MIT) as a zod schema. */
function ctrfSchema(): z.ZodType {
  schema ??= z.fromJSONSchema(JSON.parse(readFileSync(new URL('../schemas/ctrf-1.0.schema.json', import.meta.url), 'utf8')) as never);
  return schema;
}

/** Checks a parsed JSON document against CTRF 1.0; returns `null` when valid, else the reason. */
export function validateCtrf(document: unknown): string | null {
  const result = ctrfSchema().safeParse(document);
  return result.success ? null : `not valid CTRF 1.0: ${describeIssues(result.error, 3)}`;
}
