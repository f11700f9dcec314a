export { RunCollector } from './run-collector.js';
export type { CollectorOptions, FinishOptions } from './run-collector.js';
export { readReporterConfig, defaultSpoolDir } from './reporter-config.js';
export type { ReporterConfig } from './reporter-config.js';
export { resolveIdentity } from './run-identity.js';
export type { RunIdentity, IdentityOverrides, IdentityOptions, GitFacts } from './run-identity.js';
export { endLine, markdownSummary, announceRun } from './run-output.js';
export { deliverRuns, flushSpoolDir } from './deliver-runs.js';
export type { Delivery, Log } from './deliver-runs.js';
export { spoolRun, listSpool, flushSpool } from './spool.js';
export type { SpoolFlush } from './spool.js';
export { toTestResult } from './test-result.js';
export type { TestDraft } from './test-result.js';
export { importJunit, parseJunitTime } from './junit-importer.js';
export { importCtrf } from './ctrf-importer.js';
export { validateCtrf } from './ctrf-validator.js';
export { importReportText, importReportFile, detectFormat } from './import-report.js';
export type { ReportFormat, ImportOptions } from './import-report.js';
export type { ImportContext } from './import-context.js';
export { ImportError } from './import-error.js';
export { decodeReport } from './decode-report.js';
export { planShards, parseShardSpec } from './shard-plan.js';
// The runner reporters are their own entry points (`@pytest-platform/reporter/vitest`, `/jest`,
// `/node-test`, `/playwright`): exported here, their types would need every runner installed.
