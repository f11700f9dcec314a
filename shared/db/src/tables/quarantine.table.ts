import type { Selectable } from 'kysely';
import type { QuarantineActor } from '@pytest-platform/schema';

/** A test quarantined in a project now (migration 0006); times are Unix ms. Released entries are deleted (their history stays). */
export interface QuarantineTable {
  project: string;
  nodeid: string;
  reason: string;
  since: number;
  /** When it leaves quarantine by itself; null: only when released. */
  expires_at: number | null;
  by: QuarantineActor;
  /** Consecutive passes since it was quarantined, counted by ingest for automatic entries. */
  passes: number;
}

export type QuarantineRow = Selectable<QuarantineTable>;
