import { addSummaries, emptySummary, limits, statusFromSummary, summarize } from '@pytest-platform/schema';
import type { RunResult, RunStatus } from '@pytest-platform/schema';
import { UniqueNodeids } from './unique-nodeids.js';

const STATUS_RANK: Record<RunStatus, number> = { passed: 0, interrupted: 1, error: 2, failed: 3 };

const common = <T>(values: readonly T[]): T | undefined => (values.every((value) => value === values[0]) ? values[0] : undefined);

/**
 * One run made of several imported ones (a build's per-class report files): the tests of all,
 * with node ids kept unique (a repeat gets ` [2]`), counts summed, started at the earliest start,
 * finished at the latest finish, the worst status, and the framework they share (`mixed` when they
 * differ). Identity and environment come from the first run; `run_id` is the one given.
 */
export function mergeRuns(runs: readonly RunResult[], runId: string): RunResult {
  const [first] = runs;
  if (first === undefined) throw new Error('mergeRuns: no runs');
  const nodeids = new UniqueNodeids();
  const tests = runs.flatMap((run) => run.tests).slice(0, limits.testsPerRun).map((test) => ({ ...test, nodeid: nodeids.claim(test.nodeid) }));
  const summary = runs.reduce((sum, run) => addSummaries(sum, run.summary ?? summarize(run.tests)), emptySummary());
  const starts = runs.map((run) => Date.parse(run.started_at));
  const ends = runs.map((run, index) => (run.finished_at === null ? starts[index]! + (run.duration ?? 0) * 1000 : Date.parse(run.finished_at)));
  const start = Math.min(...starts);
  const end = Math.max(...ends);
  const status = [statusFromSummary(summary), ...runs.map((run) => run.status)]
    .reduce((worst, next) => (STATUS_RANK[next] > STATUS_RANK[worst] ? next : worst));
  const environment = { ...first.environment };
  if (runs.length > 1 && environment.report_file !== undefined) environment.report_file = `${environment.report_file} and ${runs.length - 1} more`.slice(0, limits.environmentValueLength);
  return {
    ...first,
    run_id: runId,
    framework: common(runs.map((run) => run.framework)) ?? 'mixed',
    framework_version: common(runs.map((run) => run.framework_version)) ?? null,
    started_at: new Date(start).toISOString(),
    finished_at: new Date(end).toISOString(),
    duration: Math.max(0, (end - start) / 1000),
    status,
    summary,
    environment,
    tests,
  };
}
