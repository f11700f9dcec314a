import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * A CI build of a project (migration 0004): what its runs share by `build_id`. The run writers keep
 * it: `started_at` is the earliest start of its runs, branch and commit the first known. Counts,
 * status and finish are read from the runs.
 */
export interface BuildTable {
  id: Generated<number>;
  project: string;
  build_id: string;
  branch: string | null;
  commit_sha: string | null;
  /** Unix ms. */
  started_at: number;
}

export type BuildRow = Selectable<BuildTable>;
export type NewBuild = Insertable<BuildTable>;
