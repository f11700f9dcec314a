import type { RolledRun } from './rollup-deltas.js';
import type { BuildRow } from './tables/build.table.js';
import type { TestTagRow } from './tables/test-tag.table.js';

/** A run as the run upserts return it: what the rollups need plus its commit and build (fixed once stored). */
export interface StoredRunHeader extends RolledRun {
  commit_sha: string | null;
  build_id: string | null;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The stored form of a test's tags: a JSON array without repeats, or null when there are none (nothing to write). */
export function tagsJson(tags: readonly string[] | undefined): string | null {
  if (tags === undefined || tags.length === 0) return null;
  return JSON.stringify([...new Set(tags)]);
}

/**
 * The `builds` rows one write transaction touches, one per (project, build_id), written at the end of
 * the transaction in key order (a stable lock order for concurrent writers on Postgres).
 */
export class BuildDeltas {
  private readonly builds = new Map<string, Omit<BuildRow, 'id'>>();

  add(run: StoredRunHeader): void {
    if (run.build_id === null) return;
    const key = `${run.project}\u0000${run.build_id}`;
    const seen = this.builds.get(key);
    if (seen === undefined) {
      this.builds.set(key, { project: run.project, build_id: run.build_id, branch: run.branch, commit_sha: run.commit_sha, started_at: run.started_at });
      return;
    }
    seen.started_at = Math.min(seen.started_at, run.started_at);
    seen.branch ??= run.branch;
    seen.commit_sha ??= run.commit_sha;
  }

  rows(): Omit<BuildRow, 'id'>[] {
    return [...this.builds.values()].sort((a, b) => cmp(a.project, b.project) || cmp(a.build_id, b.build_id));
  }

  clear(): void {
    this.builds.clear();
  }
}

/** Pairs remembered as stored before the set is dropped and rebuilt from new writes. */
const MAX_KNOWN_TAGS = 2_000_000;

/** The (test, tag) pairs a writer knows are stored, so a test that keeps its tags costs no statement after its first run. */
export class KnownTags {
  private readonly known = new Set<string>();

  has(key: string): boolean {
    return this.known.has(key);
  }

  /** Called after a commit with the pairs it stored. */
  remember(keys: Iterable<string>): void {
    if (this.known.size > MAX_KNOWN_TAGS) this.known.clear();
    for (const key of keys) this.known.add(key);
  }
}

/** The `test_tags` rows one write transaction adds: the pairs not known to be stored. */
export class TagDeltas {
  private readonly pending = new Map<string, TestTagRow>();

  constructor(private readonly known: KnownTags) {}

  add(tags: readonly string[], project: string, testId: number): void {
    for (const tag of tags) {
      const key = `${testId}\u0000${tag}`;
      if (!this.known.has(key) && !this.pending.has(key)) this.pending.set(key, { tag, project, test_id: testId });
    }
  }

  /** The pairs to insert, in primary-key order (a stable lock order for concurrent writers on Postgres). */
  rows(): TestTagRow[] {
    return [...this.pending.values()].sort((a, b) => cmp(a.tag, b.tag) || cmp(a.project, b.project) || a.test_id - b.test_id);
  }

  /** After the commit: the pairs are stored. */
  committed(): void {
    this.known.remember(this.pending.keys());
    this.pending.clear();
  }
}
