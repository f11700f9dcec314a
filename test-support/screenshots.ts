import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './services.js';

/**
 * Where a test saves a screenshot: `docs/<name>` when `UPDATE_SCREENSHOTS=1` (to refresh the
 * committed pictures), else a temp file, so a plain test run leaves the work tree clean.
 */
export const screenshotPath = (name: string) =>
  process.env.UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs', name) : join(tmpdir(), `pytest-platform-${process.pid}-${name}`);
