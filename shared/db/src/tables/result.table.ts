import type { Insertable, Selectable } from 'kysely';
import type { Outcome } from '@pytest-platform/schema';

/** One test's result in one run; keyed by (run, test), so a redelivered entry overwrites itself. */
export interface ResultTable {
  run_id: number;
  test_id: number;
  outcome: Outcome;
  duration: number;
  attempts: number;
  message: string | null;
  longrepr: string | null;
  /** Failed and error results only: `failureSignature` of the message, what failure groups are keyed by. */
  signature: string | null;
  /** JSON array of the result's tags; null when it has none. */
  tags: string | null;
  /** 1 when the reporter said the test was quarantined when it ran; null otherwise. */
  quarantined: number | null;
}

export type ResultRow = Selectable<ResultTable>;
export type NewResult = Insertable<ResultTable>;
