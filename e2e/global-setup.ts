import { execFileSync } from 'node:child_process';
import { repoRoot } from '../test-support/services.js';

/** The stack runs from the built `dist/` as `npm start` does: bring it up to date (incremental). */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { cwd: repoRoot, stdio: 'inherit' });
}
