import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { limits, runDates } from '@pytest-platform/schema';
import type { RunHeader } from '@pytest-platform/schema';
import type { RunIdentity } from './run-identity.js';

/** What an importer needs besides the file's content. */
export interface ImportContext {
  identity: RunIdentity;
  /** Path of the report, recorded in `environment.report_file`. */
  file?: string;
  /** Start time when the report carries none (e.g. the file's mtime). @defaultValue now */
  fallbackStart?: Date;
  /** The run's id, e.g. one derived from the files' contents. @defaultValue a random UUID */
  runId?: string;
}

/**
 * The latest date a run may carry: what receivers take (a day ahead of their clock), less an hour
 * for a receiver whose clock is behind this one.
 */
const latestPlausible = () => Date.now() + runDates.aheadMs - 3_600_000;

/** `ms` when a receiver takes it as a run's date: from 2000-01-01 to about a day ahead. */
const plausible = (ms: number) => Number.isFinite(ms) && ms >= runDates.earliest && ms <= latestPlausible();

/** A report timestamp as an ISO date-time; a zone-less one is read as UTC. `null` when implausible. */
function parseReportTime(value: string | number | undefined): string | null {
  if (value === undefined) return null;
  let ms: number;
  if (typeof value === 'number') ms = value;
  else {
    const trimmed = value.trim();
    const zoned = /(?:Z|[+-]\d\d:?\d\d)$/i.test(trimmed) || !/T|\d:\d/.test(trimmed) ? trimmed : `${trimmed}Z`;
    ms = Date.parse(zoned.replace(' ', 'T'));
  }
  return plausible(ms) ? new Date(ms).toISOString() : null;
}

/**
 * When a run that started at `startedAt` and took `duration` seconds finished. A duration that
 * runs past what a receiver takes (a corrupt report) is dropped: the run counts as instant.
 */
export function runEnd(startedAt: string, duration: number): { finished_at: string; duration: number } {
  const end = Date.parse(startedAt) + duration * 1000;
  if (duration >= 0 && plausible(end)) return { finished_at: new Date(end).toISOString(), duration };
  return { finished_at: startedAt, duration: 0 };
}

export function runHeader(
  context: ImportContext,
  found: { framework: string; frameworkVersion?: string | null; timestamps: readonly (string | number | undefined)[] },
): RunHeader {
  // A file's mtime may be as implausible as a report's timestamps (1970 in reproducible builds): then now.
  const fallback = context.fallbackStart !== undefined && plausible(context.fallbackStart.getTime()) ? context.fallbackStart : new Date();
  const started = found.timestamps.map(parseReportTime).find((iso) => iso !== null) ?? fallback.toISOString();
  const environment = { ...context.identity.environment };
  if (context.file !== undefined) environment.report_file = path.basename(context.file).slice(0, limits.environmentValueLength);
  return {
    run_id: context.runId ?? randomUUID(),
    project: context.identity.project,
    branch: context.identity.branch,
    commit: context.identity.commit,
    worker_id: context.identity.worker_id,
    framework: found.framework.slice(0, limits.nameLength) || 'unknown',
    framework_version: found.frameworkVersion?.slice(0, limits.nameLength) || null,
    started_at: started,
    build_id: context.identity.build_id ?? null,
    shard: context.identity.shard ?? null,
    environment,
  };
}
