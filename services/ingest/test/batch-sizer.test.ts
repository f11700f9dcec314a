import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../src/batch-sizer.js';
import type { StreamMessage } from '../src/stream-message.js';

const entries = (n: number, bytes: number): StreamMessage[] =>
  Array.from({ length: n }, (_, i) => ({ id: `1-${i}`, fields: { type: 'run', data: 'x'.repeat(bytes) } }));

describe('BatchSizer', () => {
  it('asks for fewer entries as entries grow, so a batch stays near the byte budget', () => {
    const sizer = new BatchSizer(200, 8 * 1024 * 1024);
    expect(sizer.count()).toBe(8); // 8 MiB over the first guess of 1 MiB: a first read of unknown entries takes few
    sizer.measure(entries(8, 100 * 1024));
    expect(sizer.count()).toBe(81); // the first measurement replaces the guess: runs of ~100 KiB
    for (let i = 0; i < 10; i++) sizer.measure(entries(50, 1.5 * 1024 * 1024));
    expect(sizer.count()).toBe(5); // runs of 1.5 MiB: 5 of them fill 8 MiB
    for (let i = 0; i < 10; i++) sizer.measure(entries(50, 200));
    expect(sizer.count()).toBe(200); // small entries: the entry cap rules
  });

  it('asks for at least one entry, however large entries are', () => {
    const sizer = new BatchSizer(200, 65_536);
    sizer.measure(entries(1, 50 * 1024 * 1024));
    expect(sizer.count()).toBe(1);
    sizer.measure([]);
    expect(sizer.count()).toBe(1);
  });
});
