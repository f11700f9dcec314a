import { readFile, stat } from 'node:fs/promises';
import type { RunResult } from '@pytest-platform/schema';
import { RunResultSchema, describeIssues } from '@pytest-platform/schema';
import { importCtrf } from './ctrf-importer.js';
import { decodeReport } from './decode-report.js';
import { ImportError } from './import-error.js';
import type { ImportContext } from './import-context.js';
import { importJunit } from './junit-importer.js';

export type ReportFormat = 'junit' | 'ctrf';

export interface ImportOptions extends Omit<ImportContext, 'file' | 'fallbackStart'> {
  /** Validate CTRF against the 1.0 JSON Schema instead of reading it leniently. */
  strict?: boolean;
  cwd?: string;
}

/** Tells JUnit XML from CTRF JSON by the first character of the content. */
export function detectFormat(text: string): ReportFormat {
  const first = text.trimStart()[0];
  if (first === undefined) throw new ImportError('empty file');
  if (first === '<') return 'junit';
  if (first === '{' || first === '[') return 'ctrf';
  throw new ImportError('neither XML nor JSON');
}

/** Imports report text (JUnit XML or CTRF JSON, detected) into one validated RunResult. */
export function importReportText(text: string, context: ImportContext & { strict?: boolean; cwd?: string }): RunResult {
  const format = detectFormat(text);
  let run: RunResult;
  if (format === 'junit') run = importJunit(text, context);
  else {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new ImportError(`not valid JSON: ${(error as Error).message}`);
    }
    run = importCtrf(document, context);
  }
  const checked = RunResultSchema.safeParse(run);
  if (!checked.success) throw new ImportError(`does not fit RunResult v1: ${describeIssues(checked.error, 3)}`);
  return checked.data;
}

/** Reads and imports one report file; the file's mtime stands in for a missing start time. */
export async function importReportFile(file: string, options: ImportOptions): Promise<RunResult> {
  let bytes: Buffer;
  let mtime: Date;
  try {
    [bytes, mtime] = await Promise.all([readFile(file), stat(file).then((info) => info.mtime)]);
  } catch (error) {
    throw new ImportError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return importReportText(decodeReport(bytes), { ...options, file, fallbackStart: mtime });
}
