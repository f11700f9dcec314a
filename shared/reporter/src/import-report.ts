import { readFile, stat } from 'node:fs/promises';
import type { RunResult } from '@pytest-platform/schema';
import { RunResultSchema, describeIssues } from '@pytest-platform/schema';
import { importCtrf } from './ctrf-importer.js';
import { decodeReport } from './decode-report.js';
import { ImportError } from './import-error.js';
import type { ImportContext } from './import-context.js';
import { importJunit } from './junit-importer.js';
import { findXmlProblem } from './xml-error.js';

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

/** A JSON syntax error as words and a line: `Unexpected token } in JSON at position 53` names the line of position 53. */
function jsonError(text: string, error: Error): ImportError {
  const message = error.message.split('\n')[0] ?? '';
  const position = /\bat position (\d+)/.exec(message);
  const words = message.replace(/,? (?:in JSON )?at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  if (!position) return new ImportError(`not valid JSON: ${words}`);
  return new ImportError(`not valid JSON: ${words}`, { line: text.slice(0, Number(position[1])).split('\n').length });
}

function importJunitText(text: string, context: ImportContext): RunResult {
  // The parser reads past many errors (an unclosed tag, a truncated file) without a word, and its
  // own messages describe its internals; the validator says what is wrong and on which line.
  const problem = findXmlProblem(text);
  if (problem) throw new ImportError(problem.message, { line: problem.line });
  return importJunit(text, context);
}

/** Imports report text (JUnit XML or CTRF JSON, detected) into one validated RunResult. */
export function importReportText(text: string, context: ImportContext & { strict?: boolean; cwd?: string }): RunResult {
  const format = detectFormat(text);
  let run: RunResult;
  if (format === 'junit') run = importJunitText(text, context);
  else {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw jsonError(text, error as Error);
    }
    run = importCtrf(document, context);
  }
  const checked = RunResultSchema.safeParse(run);
  if (!checked.success) throw new ImportError(`does not fit RunResult v1: ${describeIssues(checked.error, 3)}`);
  return checked.data;
}

/** A report file's bytes and modification time. Throws {@link ImportError} when it cannot be read. */
export async function readReport(file: string): Promise<{ bytes: Buffer; mtime: Date }> {
  try {
    const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
    return { bytes, mtime: info.mtime };
  } catch (error) {
    throw new ImportError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Imports report bytes; `mtime` (the file's) stands in for a missing start time. */
export function importReportBytes(bytes: Uint8Array, mtime: Date, file: string, options: ImportOptions): RunResult {
  return importReportText(decodeReport(bytes), { ...options, file, fallbackStart: mtime });
}

/** Reads and imports one report file; the file's mtime stands in for a missing start time. */
export async function importReportFile(file: string, options: ImportOptions): Promise<RunResult> {
  const { bytes, mtime } = await readReport(file);
  return importReportBytes(bytes, mtime, file, options);
}
