import path from 'node:path';
import type { RunResult } from '@pytest-platform/schema';
import { deliverRuns } from './deliver-runs.js';
import type { Log } from './deliver-runs.js';
import { ImportError } from './import-error.js';
import { importReportBytes, readReport } from './import-report.js';
import { contentHash, importRunId } from './import-run-id.js';
import { mergeRuns } from './merge-runs.js';
import type { ReporterConfig } from './reporter-config.js';
import { announceRun } from './run-output.js';
import type { RunIdentity } from './run-identity.js';

export interface ImportSettings {
  config: ReporterConfig;
  identity: RunIdentity;
  /** Validate CTRF against the CTRF 1.0 JSON Schema. */
  strict: boolean;
  /** Print each RunResult as one JSON line instead of sending it. */
  dryRun: boolean;
  /** One run per file instead of one run of all files. */
  runPerFile: boolean;
  /** Where file names are shown relative to. */
  cwd: string;
  log: Log;
  print: (line: string) => void;
  /** Changes the runs before they are sent or printed (e.g. `run --quarantine` marking quarantined tests). */
  prepare?: (runs: RunResult[]) => void;
}

export interface ImportOutcome {
  /** Files that could not be imported, each reported with its reason. */
  rejected: number;
  sent: number;
  spooled: number;
}

/** A progress line every this many files, for imports of more files than this. */
const PROGRESS_EVERY = 20;
/** Runs per connection to Redis when every file is its own run. */
const SEND_BATCH = 100;

interface ImportedFile {
  run: RunResult;
  hash: string;
}

/** `file:line: reason` (the line when known), the way compilers name a place in a file. */
function describeRejection(shown: string, error: unknown): string {
  if (error instanceof ImportError) return `${shown}${error.line === null ? '' : `:${error.line}`}: ${error.reason}`;
  return `${shown}: ${error instanceof Error ? error.message : String(error)}`;
}

async function readAll(files: readonly string[], settings: ImportSettings): Promise<{ imported: ImportedFile[]; rejected: number }> {
  const imported: ImportedFile[] = [];
  let rejected = 0;
  const context = { identity: settings.identity, strict: settings.strict, cwd: settings.cwd };
  for (const [index, file] of files.entries()) {
    const shown = path.relative(settings.cwd, file) || file;
    try {
      const { bytes, mtime } = await readReport(file);
      imported.push({ run: importReportBytes(bytes, mtime, file, context), hash: contentHash(bytes) });
    } catch (error) {
      rejected += 1;
      settings.log(`pytest-platform: ${describeRejection(shown, error)}; file not imported`);
    }
    const read = index + 1;
    if (files.length > PROGRESS_EVERY && (read % PROGRESS_EVERY === 0 || read === files.length)) {
      settings.log(`pytest-platform: ${read}/${files.length} files read, ${rejected} rejected`);
    }
  }
  return { imported, rejected };
}

/** The runs to send: one of all files, or one per file; either way with an id derived from the content. */
function runsOf(imported: readonly ImportedFile[], settings: ImportSettings): RunResult[] {
  const project = settings.identity.project;
  if (settings.runPerFile) return imported.map(({ run, hash }) => ({ ...run, run_id: importRunId(project, [hash]) }));
  if (imported.length === 0) return [];
  const runId = importRunId(project, imported.map(({ hash }) => hash));
  return [imported.length === 1 ? { ...imported[0]!.run, run_id: runId } : mergeRuns(imported.map(({ run }) => run), runId)];
}

/**
 * Imports report files into runs and sends them (or prints them with `dryRun`): a line per
 * rejected file, progress for many files, then each run's end line (and the CI step summary).
 */
export async function importReports(files: readonly string[], settings: ImportSettings): Promise<ImportOutcome> {
  const { imported, rejected } = await readAll(files, settings);
  const runs = runsOf(imported, settings);
  settings.prepare?.(runs);
  const outcome: ImportOutcome = { rejected, sent: 0, spooled: 0 };
  if (settings.dryRun) {
    for (const run of runs) settings.print(JSON.stringify(run));
    return outcome;
  }
  for (let start = 0; start < runs.length; start += SEND_BATCH) {
    const batch = runs.slice(start, start + SEND_BATCH);
    const delivery = await deliverRuns(settings.config, batch, settings.log);
    for (const [index, run] of batch.entries()) {
      if (index < delivery.sent) await announceRun(settings.config, run, 'sent', settings.log);
      else if (index < delivery.sent + delivery.spooled) await announceRun(settings.config, run, 'spooled', settings.log, delivery.failure);
    }
    outcome.sent += delivery.sent;
    outcome.spooled += delivery.spooled;
  }
  if (runs.length > 1) {
    const spooled = outcome.spooled > 0 ? `, ${outcome.spooled} spooled` : '';
    settings.log(`pytest-platform: ${outcome.sent} runs sent to ${settings.config.stream}${spooled}`);
  }
  return outcome;
}
