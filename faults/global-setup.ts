import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './support.js';

type Figures = Record<string, unknown>;

const sum = (scenarios: Figures[], key: string) => scenarios.reduce((n, s) => n + (typeof s[key] === 'number' ? s[key] : 0), 0);

/**
 * The whole suite in a few numbers. Each scenario's top-level reconciliation is the one under its
 * guarantee (for the Redis crash: `appendfsync always`); the `everysec` crash loss is measured, not
 * guaranteed, and stands apart.
 */
function totals(scenarios: Figures[]): Figures {
  const crash = scenarios.find((s) => s.scenario === 'redis-crash');
  return {
    scenarios: scenarios.length,
    faults_injected: sum(scenarios, 'faults_injected'),
    runs_produced: sum(scenarios, 'runs_produced'),
    runs_stored: sum(scenarios, 'runs_stored'),
    runs_lost: sum(scenarios, 'runs_lost'),
    extra_runs: sum(scenarios, 'extra_runs'),
    mismatched_runs: sum(scenarios, 'mismatched_runs'),
    redis_crash_everysec_runs_lost: crash?.everysec_runs_lost ?? null,
  };
}

/** After the faults project ran: merges each scenario's figures into `faults/results/latest.json`, with totals. */
export default function setup(): () => void {
  return () => {
    if (!existsSync(resultsDir)) return;
    const scenarios: Record<string, Figures> = {};
    for (const name of readdirSync(resultsDir).sort()) {
      if (!name.endsWith('.json') || name === 'latest.json') continue;
      scenarios[name.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as Figures;
    }
    const file = join(resultsDir, 'latest.json');
    const merged = { written_at: new Date().toISOString(), totals: totals(Object.values(scenarios)), scenarios };
    writeFileSync(`${file}.tmp`, `${JSON.stringify(merged, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  };
}
