/** Hard limits of the wire contract. Every producer truncates to them; every consumer rejects past them. */
export const limits = {
  /** Characters in a `run_id`. */
  runIdLength: 128,
  /** Characters in `project`, `worker_id`, `branch`, `commit`, `framework` and similar identity fields. */
  nameLength: 255,
  /** Characters in a test's `nodeid`. */
  nodeidLength: 4096,
  /** Characters in a test's `message` (the first line of the failure, or the skip reason). */
  messageLength: 8192,
  /** Characters in a test's `longrepr` (the traceback): 64 KiB. */
  longreprLength: 65_536,
  /** Characters in a test's `file`. */
  fileLength: 1024,
  /** Keys in `environment`. */
  environmentKeys: 64,
  /** Characters in one `environment` value. */
  environmentValueLength: 1024,
  /** Tests in one RunResult (`run` entry or `POST /results` body). */
  testsPerRun: 250_000,
  /** Tests in one live `run.tests` entry. */
  testsPerBatch: 5_000,
  /** Tests a reporter puts in one live batch before sending it. */
  reporterBatchTests: 1_000,
  /** Bytes a reporter puts in one live batch before sending it: 1 MiB. */
  reporterBatchBytes: 1_048_576,
  /** Bytes of one stream entry's `data` or one HTTP body: 64 MiB. */
  entryBytes: 64 * 1_048_576,
} as const;

/** Cuts `text` to at most `max` characters, marking the cut so a reader knows something is missing. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '\n… [truncated]';
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}
