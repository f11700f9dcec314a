import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the calling thread's CPU priority to niceness `nice`, unless it already runs at that or
 * lower: it never asks for more than the launcher gave (that would need privileges). Linux keeps
 * niceness per thread; called from ingest's main thread, it covers where entries are parsed and
 * written. Returns the niceness the thread runs at.
 */
export function lowerCpuPriority(nice: number): number {
  const current = getPriority();
  if (nice <= current) return current;
  setPriority(nice);
  return getPriority();
}
