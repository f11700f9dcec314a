import { QUARANTINE_REASON_LENGTH, type QuarantineChange } from '@pytest-platform/schema';
import type { Db } from '../database.js';
import { assessWindow, flakyCandidates, type WindowAssessment } from './flaky-tests.repository.js';
import type { FoldRun } from './fold.repository.js';
import { lockQuarantineHistory, quarantineTest, recordRelease } from './quarantine.repository.js';
import { chunks, probeResults, testsById } from './run-window.js';

/** The automatic quarantine policy (`QUARANTINE_*`). */
export interface QuarantinePolicy {
  /** The last N finished runs of the project looked at. */
  window: number;
  /** Runs with flaky evidence that quarantine a test. */
  minFlips: number;
  /** Consecutive passes that release an automatic entry. */
  releasePasses: number;
}

/** Run ids named in a reason; the rest are counted. */
const REASON_RUNS = 5;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The evidence as a reason a person reads: how many runs, of what kind, and the latest of them. */
function quarantineReason(a: WindowAssessment, windowRuns: number): string {
  const kinds = [
    a.evidence.flip.length > 0 ? `flipped between pass and fail ${plural(a.flips, 'time')}` : '',
    a.evidence.retry.length > 0 ? `passed only after retries in ${plural(a.evidence.retry.length, 'run')}` : '',
    a.evidence.same_commit.length > 0 ? `passed and failed on one commit in ${plural(a.evidence.same_commit.length, 'run')}` : '',
  ].filter((k) => k !== '');
  const runs = [...new Set([...a.evidence.flip, ...a.evidence.retry, ...a.evidence.same_commit])];
  const latest = runs.slice(-REASON_RUNS);
  const named = `runs ${latest.join(', ')}${runs.length > latest.length ? ` and ${runs.length - latest.length} more` : ''}`;
  const reason = `flaky in ${a.evidenceRuns} of the last ${plural(windowRuns, 'run')}: ${kinds.join('; ')} (${named})`;
  return reason.length > QUARANTINE_REASON_LENGTH ? `${reason.slice(0, QUARANTINE_REASON_LENGTH - 1)}…` : reason;
}

/**
 * Counts, in runs just folded (oldest first), the consecutive passes of each automatic entry of their
 * projects: a pass adds one, a failure or error starts again from zero, other outcomes and runs
 * without the test change nothing. An entry that reaches `releasePasses` is released (by `auto`).
 * Runs inside the fold's transaction; returns the releases.
 */
export async function countQuarantinePasses(trx: Db, runs: readonly FoldRun[], releasePasses: number, now: number): Promise<QuarantineChange[]> {
  const byProject = new Map<string, FoldRun[]>();
  for (const run of runs) byProject.set(run.project, [...(byProject.get(run.project) ?? []), run]);
  const released: QuarantineChange[] = [];
  if (byProject.size > 0) await lockQuarantineHistory(trx);
  for (const [project, projectRuns] of byProject) {
    const entries = await trx.selectFrom('quarantine').select(['nodeid', 'passes']).where('project', '=', project).where('by', '=', 'auto').execute();
    if (entries.length === 0) continue;
    const ids = new Map<number, string>();
    for (const chunk of chunks(entries.map((e) => e.nodeid))) {
      const rows = await trx.selectFrom('tests').select(['id', 'nodeid']).where('project', '=', project).where('nodeid', 'in', chunk).execute();
      for (const row of rows) ids.set(row.id, row.nodeid);
    }
    const results = await probeResults(trx, projectRuns.map((r) => r.id), [...ids.keys()]);
    const order = new Map(projectRuns.map((r, i) => [r.id, i]));
    results.sort((a, b) => order.get(a.run_id)! - order.get(b.run_id)!);
    const passes = new Map(entries.map((e) => [e.nodeid, e.passes]));
    for (const r of results) {
      const nodeid = ids.get(r.test_id)!;
      if (r.outcome === 'passed') passes.set(nodeid, passes.get(nodeid)! + 1);
      else if (r.outcome === 'failed' || r.outcome === 'error') passes.set(nodeid, 0);
    }
    for (const e of entries) {
      const n = passes.get(e.nodeid)!;
      if (n === e.passes) continue;
      if (n < releasePasses) {
        await trx.updateTable('quarantine').set({ passes: n }).where('project', '=', project).where('nodeid', '=', e.nodeid).execute();
        continue;
      }
      const change = await recordRelease(trx, { project, nodeid: e.nodeid, by: 'auto', reason: `passed ${plural(n, 'consecutive run')}`, now });
      if (change) released.push(change.change);
    }
  }
  return released;
}

/**
 * Quarantines (by `auto`) the tests of `project` that the flaky rules flag in at least `minFlips` of
 * its last `window` finished runs, with the evidence as the reason. Tests quarantined now are left
 * alone; a test released before counts only the evidence of runs that started after its release, so
 * the runs that released it do not quarantine it again. Returns the changes recorded.
 */
export async function applyAutoQuarantine(db: Db, project: string, policy: QuarantinePolicy, now: number): Promise<QuarantineChange[]> {
  const { runs, byTest } = await flakyCandidates(db, { project, window: policy.window });
  if (byTest.size === 0) return [];
  const tests = await testsById(db, [...byTest.keys()]);
  const current = new Set((await db.selectFrom('quarantine').select('nodeid').where('project', '=', project).execute()).map((r) => r.nodeid));
  const candidates = [...byTest.keys()].filter((id) => tests.has(id) && !current.has(tests.get(id)!.nodeid));
  const releasedAt = new Map<string, number>();
  for (const chunk of chunks(candidates.map((id) => tests.get(id)!.nodeid))) {
    const rows = await db
      .selectFrom('quarantine_history')
      .select((eb) => ['nodeid', eb.fn.max('at').as('at')])
      .where('project', '=', project)
      .where('action', '=', 'released')
      .where('nodeid', 'in', chunk)
      .groupBy('nodeid')
      .execute();
    for (const row of rows) releasedAt.set(row.nodeid, Number(row.at));
  }
  const changes: QuarantineChange[] = [];
  for (const id of candidates) {
    const nodeid = tests.get(id)!.nodeid;
    const after = releasedAt.get(nodeid) ?? -Infinity;
    const assessment = assessWindow(byTest.get(id)!.filter((r) => r.run.started_at > after));
    if (assessment.evidenceRuns < policy.minFlips) continue;
    const reason = quarantineReason(assessment, runs.length);
    const changed = await quarantineTest(db, { project, nodeid, reason, by: 'auto', expires_at: null, now }, { replace: false });
    if (changed) changes.push(changed.change);
  }
  return changes;
}
