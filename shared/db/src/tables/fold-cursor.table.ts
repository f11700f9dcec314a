/**
 * How far one of ingest's folds got (migration 0006): every run with `runs.id <= position` was folded
 * (or, for the quarantine outbox, every history row with `id <= position` was announced).
 */
export interface FoldCursorTable {
  name: string;
  position: number;
}

/** A run above its fold's cursor that was already folded (migration 0006); the rows below the cursor are pruned. */
export interface FoldedRunTable {
  name: string;
  /** `runs.id`. */
  run_id: number;
}
