import { execFileSync } from 'node:child_process';
import { repoRoot } from './services.js';

/**
 * Brings the built `dist/` of these packages up to date (incremental `tsc -b`; the reporter is then
 * bundled as it ships), for tests that run built code.
 */
export function buildPackages(...dirs: string[]): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', ...dirs], { cwd: repoRoot, stdio: 'inherit' });
  if (dirs.some((dir) => dir.replace(/\/+$/, '') === 'shared/reporter')) {
    execFileSync(process.execPath, ['shared/reporter/scripts/bundle.js', '--no-types'], { cwd: repoRoot, stdio: 'inherit' });
  }
}
