import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Scheduler, type Task } from '../src/scheduler.js';

const T0 = 1_000_000;

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

function task(name: string, everyMs: number, run: Task['run'], atStart = false): Task & { runs: number[] } {
  const runs: number[] = [];
  return { name, what: `do ${name}`, everyMs, atStart, runs, run: (now) => (runs.push(now), run(now)) };
}

describe('Scheduler', () => {
  it('runs each task when due, at start or one interval in, and tells the loop when the next one is due', async () => {
    const { logger } = recordingLogger();
    const sweep = task('sweep', 30, async () => 'done', true);
    const trim = task('trim', 50, async () => 'done');
    const scheduler = new Scheduler([sweep, trim], logger, undefined, T0);
    expect(scheduler.nextDueAt()).toBe(T0);
    await scheduler.runDue(T0);
    expect(sweep.runs).toEqual([T0]);
    expect(trim.runs).toEqual([]);
    expect(scheduler.nextDueAt()).toBe(T0 + 30);
    await scheduler.runDue(T0 + 29);
    await scheduler.runDue(T0 + 50);
    expect(sweep.runs).toEqual([T0, T0 + 50]);
    expect(trim.runs).toEqual([T0 + 50]);
    expect(scheduler.nextDueAt()).toBe(T0 + 80);
    expect(new Scheduler([], logger).nextDueAt()).toBe(Infinity);
  });

  it('runs a task that has more work again on the next turn', async () => {
    const { logger } = recordingLogger();
    let left = 3;
    const retention = task('retention', 3_600_000, async () => (--left > 0 ? 'more' : 'done'), true);
    const scheduler = new Scheduler([retention], logger, undefined, T0);
    for (let turn = 0; turn < 5; turn++) await scheduler.runDue(T0 + turn);
    expect(retention.runs).toEqual([T0, T0 + 1, T0 + 2]);
    expect(scheduler.nextDueAt()).toBe(T0 + 2 + 3_600_000);
  });

  it('logs and counts a failing task, keeps its interval and still runs the others', async () => {
    const { lines, logger } = recordingLogger();
    const failed: string[] = [];
    const broken = task('trim', 10, async () => {
      throw new Error('NOGROUP no such key');
    }, true);
    const sweep = task('sweep', 10, async () => 'done', true);
    const scheduler = new Scheduler([broken, sweep], logger, (t) => failed.push(t.name), T0);
    await scheduler.runDue(T0);
    expect(sweep.runs).toEqual([T0]);
    expect(failed).toEqual(['trim']);
    expect(lines).toEqual([expect.objectContaining({ msg: 'could not do trim', task: 'trim', err: expect.objectContaining({ message: 'NOGROUP no such key' }) })]);
    expect(scheduler.nextDueAt()).toBe(T0 + 10);
  });
});
