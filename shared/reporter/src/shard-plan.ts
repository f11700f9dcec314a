/**
 * Splitting names (test files or test ids) into N shards by recorded duration: the packing the
 * pytest plugin's `--platform-shard` uses too (`pytest_platform/sharding.py`); both are checked
 * against `shared/schema/fixtures/sharding.json`, so they agree byte for byte.
 *
 * Longest processing time first: names sorted by recorded seconds, longest first, ties by name in
 * code point order; each goes to the shard with the least seconds so far (ties: the lowest shard).
 * A name without a record counts as the median of those with one; when none has a record every
 * name counts the same (a split by count).
 */

/** The largest N of `K/N`: the contract's shard totals have at most 6 digits. */
const MAX_SHARDS = 999_999;

/** `K/N` as numbers; `null` unless 1 ≤ K ≤ N ≤ 999999. */
export function parseShardSpec(text: string): { index: number; total: number } | null {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return null;
  const index = Number(match[1]);
  const total = Number(match[2]);
  return total >= 1 && total <= MAX_SHARDS && index >= 1 && index <= total ? { index, total } : null;
}

/** A recorded duration: a finite number ≥ 0; `null` for anything else. */
export function recordedSeconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Orders strings by code point, as Python does (JavaScript's `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** A min-heap of shards by (load, index). */
class ShardLoads {
  readonly #heap: { load: number; index: number }[];

  constructor(total: number) {
    this.#heap = Array.from({ length: total }, (_, index) => ({ load: 0, index }));
  }

  #less(i: number, j: number): boolean {
    const a = this.#heap[i]!;
    const b = this.#heap[j]!;
    return a.load < b.load || (a.load === b.load && a.index < b.index);
  }

  #swap(i: number, j: number): void {
    [this.#heap[i], this.#heap[j]] = [this.#heap[j]!, this.#heap[i]!];
  }

  /** Adds `seconds` to the least loaded shard (the lowest of equals) and returns its index. */
  add(seconds: number): number {
    const top = this.#heap[0]!;
    const index = top.index;
    top.load += seconds;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < this.#heap.length && this.#less(left, least)) least = left;
      if (right < this.#heap.length && this.#less(right, least)) least = right;
      if (least === i) break;
      this.#swap(i, least);
      i = least;
    }
    return index;
  }
}

/**
 * The names of each of `total` shards, each in code point order. `durations` maps a name to its
 * recorded seconds (any other value counts as no record); repeated names count once.
 */
export function planShards(names: Iterable<string>, durations: Readonly<Record<string, unknown>>, total: number): string[][] {
  const unique = [...new Set(names)].sort(compareCodePoints);
  const known = new Map<string, number>();
  for (const name of unique) {
    const seconds = Object.hasOwn(durations, name) ? recordedSeconds(durations[name]) : null;
    if (seconds !== null) known.set(name, seconds);
  }
  const values = [...known.values()].sort((a, b) => a - b);
  const middle = Math.floor(values.length / 2);
  const median = values.length === 0 ? 1 : values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
  const weight = (name: string) => known.get(name) ?? median;
  // A stable sort: names of equal weight stay in code point order.
  const longestFirst = [...unique].sort((a, b) => weight(b) - weight(a));
  const shards: string[][] = Array.from({ length: total }, () => []);
  const loads = new ShardLoads(total);
  for (const name of longestFirst) shards[loads.add(weight(name))]!.push(name);
  return shards.map((shard) => shard.sort(compareCodePoints));
}
