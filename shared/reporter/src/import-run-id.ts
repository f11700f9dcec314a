import { createHash } from 'node:crypto';

/** The SHA-256 of a report file's bytes, in hex. */
export const contentHash = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The run id of an import: `import-` and the first 32 hex digits of a SHA-256 over the project and
 * the sorted content hashes of its files. Importing the same files into the same project again
 * gives the same id, and ingest stores a run id once, so a repeated import stores nothing new.
 */
export function importRunId(project: string, contentHashes: readonly string[]): string {
  const hash = createHash('sha256').update(project).update('\n');
  for (const content of [...contentHashes].sort()) hash.update(content).update('\n');
  return `import-${hash.digest('hex').slice(0, 32)}`;
}
