import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';

/** What a directory given to `import` is searched for, at any depth. */
const REPORT_PATTERNS = ['**/*.xml', '**/*.json'];

/**
 * The report files named by paths, directories (searched for `*.xml` and `*.json` at any depth) or
 * glob patterns, in argument order, each once; `missing` lists the arguments that named nothing.
 */
export async function findReportFiles(patterns: readonly string[], cwd: string): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const literal = path.resolve(cwd, pattern);
    const info = await stat(literal).catch(() => null);
    let matches: string[];
    if (info?.isFile()) matches = [literal];
    else if (info?.isDirectory()) matches = (await glob(REPORT_PATTERNS, { cwd: literal, absolute: true, onlyFiles: true })).sort();
    else matches = (await glob(pattern, { cwd, absolute: true, onlyFiles: true, expandDirectories: false })).sort();
    if (matches.length === 0) missing.push(pattern);
    for (const file of matches) {
      if (!seen.has(file)) files.push(file);
      seen.add(file);
    }
  }
  return { files, missing };
}

/**
 * How much older than the command's start a report may look and still count as written by it:
 * file systems store modification times coarsely (FAT to 2 s, some to 1 s), so a report written
 * right after the start can carry an earlier time.
 */
const MTIME_SLACK_MS = 2000;

/** Splits `files` into those modified since `sinceMs` (less the slack) and those left from before. */
export async function splitByAge(files: readonly string[], sinceMs: number): Promise<{ fresh: string[]; stale: string[] }> {
  const fresh: string[] = [];
  const stale: string[] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => null);
    if (info && info.mtimeMs < sinceMs - MTIME_SLACK_MS) stale.push(file);
    else fresh.push(file);
  }
  return { fresh, stale };
}
