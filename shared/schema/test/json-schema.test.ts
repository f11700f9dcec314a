import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runResultJsonSchema } from '@pytest-platform/schema';

describe('run-result.schema.json', () => {
  it('is the schema generated from the zod source (run `npm run generate -w @pytest-platform/schema` when this fails)', () => {
    const committed = JSON.parse(readFileSync(new URL('../run-result.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(runResultJsonSchema());
  });
});
