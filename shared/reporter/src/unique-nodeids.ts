import { limits } from '@pytest-platform/schema';

/**
 * Hands out node ids unique within one run: the second test that claims `a::b` becomes `a::b [2]`,
 * the third `a::b [3]`, and so on.
 */
export class UniqueNodeids {
  readonly #taken = new Set<string>();

  claim(nodeid: string): string {
    let candidate = nodeid;
    for (let n = 2; this.#taken.has(candidate); n += 1) {
      const suffix = ` [${n}]`;
      candidate = nodeid.slice(0, limits.nodeidLength - suffix.length) + suffix;
    }
    this.#taken.add(candidate);
    return candidate;
  }
}
