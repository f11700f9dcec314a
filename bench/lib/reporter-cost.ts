import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './processes.js';

/**
 * The pytest plugin's cost, measured by bench/pytest-plugin/bench_plugin.py (enqueue time inside
 * pytest_sessionfinish; a 2,000-test session with and without the plugin, alternating).
 * `defaults` sets the plugin bench's own knobs (BENCH_REPS, BENCH_INPROC_SESSIONS) unless the environment does.
 */
export function measureReporterCost(redisUrl: string, say: (line: string) => void, defaults: Record<string, string> = {}): Record<string, unknown> {
  const python = join(repoRoot, 'shared/pytest-plugin/.venv/bin/python');
  if (!existsSync(python)) {
    execFileSync('bash', ['shared/pytest-plugin/scripts/setup-venv.sh'], { cwd: repoRoot, stdio: 'inherit' });
  }
  const out = join(repoRoot, 'bench/results/pytest-plugin.json');
  execFileSync(python, ['bench/pytest-plugin/bench_plugin.py', out], {
    cwd: repoRoot,
    env: { ...defaults, ...process.env, REDIS_URL: redisUrl },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const figures = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  say('reporter cost: see bench/results/pytest-plugin.json');
  return figures;
}
