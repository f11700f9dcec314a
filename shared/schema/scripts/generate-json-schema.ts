import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runResultJsonSchema } from '../src/json-schema.js';

const target = fileURLToPath(new URL('../run-result.schema.json', import.meta.url));
writeFileSync(target, JSON.stringify(runResultJsonSchema(), null, 2) + '\n');
console.log(`wrote ${target}`);
