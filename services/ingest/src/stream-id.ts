/** A Redis stream id `ms-seq` as a pair of bigints, for ordering. */
const parse = (id: string): [bigint, bigint] => {
  const [ms = '0', seq = '0'] = id.split('-');
  return [BigInt(ms), BigInt(seq)];
};

export function compareStreamIds(a: string, b: string): number {
  const [am, as] = parse(a);
  const [bm, bs] = parse(b);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

/** The smallest id greater than `id`. */
export function nextStreamId(id: string): string {
  const [ms, seq] = parse(id);
  return `${ms}-${seq + 1n}`;
}
