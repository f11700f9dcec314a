/** A change in mean pass rate smaller than this (2 percentage points) is "stable". */
export const TREND_THRESHOLD = 0.02;

export type TrendDirection = 'improving' | 'declining' | 'stable';

/**
 * Compares the mean pass rate of the newer half of the runs with the older half (runs that
 * executed nothing are left out; with an odd count the middle run belongs to neither half).
 */
export function trendDirection(rates: readonly (number | null)[], threshold = TREND_THRESHOLD): { direction: TrendDirection; delta: number | null } {
  const rated = rates.filter((rate): rate is number => rate !== null);
  if (rated.length < 2) return { direction: 'stable', delta: null };
  const half = Math.floor(rated.length / 2);
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const delta = mean(rated.slice(rated.length - half)) - mean(rated.slice(0, half));
  const rounded = Math.round(delta * 10_000) / 10_000;
  if (Math.abs(delta) < threshold) return { direction: 'stable', delta: rounded };
  return { direction: delta > 0 ? 'improving' : 'declining', delta: rounded };
}
