import type { Generated, Selectable } from 'kysely';
import type { QuarantineAction, QuarantineActor } from '@pytest-platform/schema';

/** Every quarantine and release (migration 0006), in the order they happened; what ingest announces on `<stream>:events`. */
export interface QuarantineHistoryTable {
  id: Generated<number>;
  project: string;
  nodeid: string;
  action: QuarantineAction;
  by: QuarantineActor;
  reason: string;
  /** Unix ms. */
  at: number;
  /** A quarantine's expiry (Unix ms); null for releases and quarantines without one. */
  expires_at: number | null;
}

export type QuarantineHistoryRow = Selectable<QuarantineHistoryTable>;
