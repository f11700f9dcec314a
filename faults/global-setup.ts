import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './support.js';

/** After the faults project ran: merges each scenario's figures into `faults/results/latest.json`. */
export default function setup(): () => void {
  return () => {
    if (!existsSync(resultsDir)) return;
    const scenarios: Record<string, unknown> = {};
    for (const name of readdirSync(resultsDir).sort()) {
      if (!name.endsWith('.json') || name === 'latest.json') continue;
      scenarios[name.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as unknown;
    }
    const file = join(resultsDir, 'latest.json');
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ written_at: new Date().toISOString(), scenarios }, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  };
}
