import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEntry, wireJson } from '@pytest-platform/schema';
import type { RunResult } from '@pytest-platform/schema';
import type { Redis } from 'ioredis';

/** Spool file names the Node reporters and the Python plugin write: `<unix_ms>-<run_id>.json`. */
const SPOOL_FILE = /^\d+-[A-Za-z0-9][A-Za-z0-9._:-]*\.json$/;

/**
 * Writes a whole run as one `{"type":"run","data":…}` file, first under a temporary name, then
 * renamed, so a concurrent `flush` never reads half a file. Returns the final path.
 */
export async function spoolRun(dir: string, run: RunResult): Promise<string> {
  await mkdir(dir, { recursive: true });
  const final = path.join(dir, `${Date.now()}-${run.run_id}.json`);
  const temp = path.join(dir, `.${randomUUID()}.tmp`);
  await writeFile(temp, wireJson({ type: 'run', data: run }), { encoding: 'utf8', mode: 0o600 });
  await rename(temp, final);
  return final;
}

/** Spool files waiting to be sent, oldest first. */
export async function listSpool(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names.filter((file) => SPOOL_FILE.test(file)).sort().map((file) => path.join(dir, file));
}

export interface SpoolFlush {
  sent: number;
  /** Files that can never be sent, renamed to `*.rejected`, with the reason. */
  rejected: { file: string; reason: string }[];
}

/**
 * Sends every spooled run (XADD, then unlink). A file that is not a valid entry is renamed to
 * `<name>.rejected` so it is reported once and never retried. A Redis failure stops the flush and
 * throws, leaving the remaining files for next time.
 */
export async function flushSpool(redis: Redis, stream: string, dir: string): Promise<SpoolFlush> {
  const result: SpoolFlush = { sent: 0, rejected: [] };
  for (const file of await listSpool(dir)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue; // taken by a concurrent flush
    }
    let reason: string | null = null;
    let type: string | undefined;
    let data: string | undefined;
    try {
      const entry = JSON.parse(text) as { type?: unknown; data?: unknown };
      type = typeof entry.type === 'string' ? entry.type : undefined;
      // Files spooled before lone surrogates were cleaned are sent cleaned.
      data = entry.data === undefined ? undefined : wireJson(entry.data);
      const parsed = parseEntry(type, data);
      if (!parsed.ok) reason = parsed.reason;
    } catch (error) {
      reason = `not JSON: ${(error as Error).message}`;
    }
    if (reason !== null || type === undefined || data === undefined) {
      result.rejected.push({ file, reason: reason ?? 'missing type or data' });
      await rename(file, `${file}.rejected`).catch(() => {});
      continue;
    }
    await redis.xadd(stream, '*', 'type', type, 'data', data);
    await unlink(file).catch(() => {});
    result.sent += 1;
  }
  return result;
}
