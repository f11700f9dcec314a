import { z } from 'zod';
import { RunResultSchema } from './run-result.js';
import { RunFinishedSchema, RunStartedSchema, RunTestsSchema } from './stream-entry.js';

const toJson = (schema: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
};

/**
 * The RunResult v1 contract as JSON Schema (draft 2020-12), as a producer may send it.
 * The root is a whole run (`run` entry, `POST /results`); `$defs` hold the live entries.
 */
export function runResultJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://pytest-platform.dev/schemas/run-result.v1.json',
    title: 'RunResult v1',
    ...toJson(RunResultSchema),
    $defs: {
      'run.started': toJson(RunStartedSchema),
      'run.tests': toJson(RunTestsSchema),
      'run.finished': toJson(RunFinishedSchema),
    },
  };
}
