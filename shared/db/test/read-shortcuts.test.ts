import { describe, expect, test } from 'vitest';
import { outcomes, type FailureClassification, type Outcome } from '@pytest-platform/schema';
import { assessFlakiness, classifyFailure, type TestOutcome } from '@pytest-platform/db';
import { encodeRunDigest, RunDigest, type DigestResult } from '../src/run-digest.js';
import { random } from './helpers.js';

/** `classifyFailure` as it was written before its shortcut: the whole assessment of the reversed history. */
function classifyByAssessment(current: { commit: string | null }, previous: readonly Omit<TestOutcome, 'run_id'>[]): FailureClassification {
  const prior = previous.map((p, i) => ({ ...p, run_id: String(i) }));
  if (assessFlakiness([...prior].reverse()).flaky) return 'flaky';
  if (current.commit !== null && prior.some((p) => p.commit === current.commit && p.outcome === 'passed')) return 'flaky';
  const lastExecuted = prior.find((p) => p.outcome === 'passed' || p.outcome === 'failed' || p.outcome === 'error');
  if (!lastExecuted || lastExecuted.outcome === 'passed') return 'new';
  return 'recurring';
}

describe('classifyFailure', () => {
  test('labels 20,000 random histories as the full flakiness assessment does', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const next = random(seed);
      const commits = ['c1', 'c2', 'c3', null];
      const previous = Array.from({ length: Math.floor(next() * 12) }, () => ({
        outcome: outcomes[Math.floor(next() * outcomes.length)]!,
        attempts: next() < 0.1 ? 2 : 1,
        commit: commits[Math.floor(next() * commits.length)]!,
      }));
      const current = { commit: commits[Math.floor(next() * commits.length)]! };
      expect(classifyFailure(current, previous), `seed ${seed}`).toBe(classifyByAssessment(current, previous));
    }
  });
});

describe('RunDigest.forEachOf', () => {
  const digestOf = (ids: readonly number[]) => {
    const results = new Map<number, DigestResult>(ids.map((id) => [id, { outcome: 'passed' as Outcome, attempts: 1, duration: id / 10 }]));
    return new RunDigest(encodeRunDigest(results));
  };
  const visited = (digest: RunDigest, wanted: readonly number[]) => {
    const out: number[] = [];
    digest.forEachOf(wanted, (i) => out.push(digest.testId(i)));
    return out;
  };

  test('visits the wanted tests the run has, in test-id order, by search (few wanted) and by walk (many)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const next = random(seed);
      const ids = [...new Set(Array.from({ length: Math.floor(next() * 400) }, () => Math.floor(next() * 1_000)))];
      const digest = digestOf(ids);
      const present = new Set(ids);
      const wanted = [...new Set(Array.from({ length: Math.floor(next() * (next() < 0.5 ? 5 : 300)) }, () => Math.floor(next() * 1_100)))].sort((a, b) => a - b);
      expect(visited(digest, wanted), `seed ${seed}`).toEqual(wanted.filter((id) => present.has(id)));
      for (const id of wanted) expect(digest.find(id) >= 0 ? digest.testId(digest.find(id)) : -1).toBe(present.has(id) ? id : -1);
    }
  });

  test('an empty digest or nothing wanted visits nothing', () => {
    expect(visited(digestOf([]), [1, 2])).toEqual([]);
    expect(visited(digestOf([1, 2, 3]), [])).toEqual([]);
    expect(digestOf([]).find(1)).toBe(-1);
  });
});
