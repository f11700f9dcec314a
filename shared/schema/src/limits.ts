import contract from './contract.json' with { type: 'json' };

/**
 * Hard limits of the wire contract, from `contract.json` (the pytest plugin reads the same file).
 * Every producer truncates to them; every consumer rejects past them. Lengths count JavaScript
 * characters (UTF-16 code units).
 */
export const limits: Readonly<{
  /** Characters in a `run_id`. */
  runIdLength: number;
  /** Characters in `project`, `worker_id`, `branch`, `commit`, `build_id`, `framework` and similar identity fields. */
  nameLength: number;
  /** Characters in a test's `nodeid`. */
  nodeidLength: number;
  /** Characters in a test's `message` (the first line of the failure, or the skip reason). */
  messageLength: number;
  /** Characters in a test's `longrepr` (the traceback): 64 KiB. */
  longreprLength: number;
  /** Characters in a test's `file`. */
  fileLength: number;
  /** Keys in `environment`. */
  environmentKeys: number;
  /** Characters in one `environment` value. */
  environmentValueLength: number;
  /** Tags on one test. */
  tagsPerTest: number;
  /** Characters in one tag. */
  tagLength: number;
  /** Tests in one RunResult (`run` entry or `POST /results` body). */
  testsPerRun: number;
  /** Tests in one live `run.tests` entry. */
  testsPerBatch: number;
  /** Tests a reporter puts in one live batch before sending it. */
  reporterBatchTests: number;
  /** Bytes a reporter puts in one live batch before sending it: 1 MiB. */
  reporterBatchBytes: number;
  /** Bytes of one stream entry's `data` or one HTTP body: 64 MiB. */
  entryBytes: number;
}> = Object.freeze({ ...contract.limits });

/**
 * Cuts `text` to at most `max` characters, marking the cut so a reader knows something is missing;
 * never between the two halves of a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '\n… [truncated]';
  let end = Math.max(0, max - marker.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + marker;
}
