import type { Logger } from 'pino';

/** A housekeeping job the consume loop runs between batches. */
export interface Task {
  /** Short name, logged with its errors. */
  readonly name: string;
  /** What it does, for the error log: `could not <what>`. */
  readonly what: string;
  /** Milliseconds from one run to the next. */
  readonly everyMs: number;
  /** Runs as soon as the loop starts instead of one interval later. @defaultValue false */
  readonly atStart?: boolean;
  /** Does the work; resolves `'more'` when some is left, so that it runs again on the loop's next turn. */
  run(now: number): Promise<'done' | 'more'>;
}

interface Slot {
  task: Task;
  dueAt: number;
}

/**
 * Runs the housekeeping tasks that are due, one after another, when the consume loop asks between
 * batches; the loop blocks on the stream no longer than {@link Scheduler.nextDueAt}. A task that
 * throws is logged and counted (`onError`) and runs again at its next interval; the others go on.
 */
export class Scheduler {
  private readonly slots: Slot[];

  constructor(
    tasks: readonly Task[],
    private readonly logger: Logger,
    private readonly onError: (task: Task, error: unknown) => void = () => {},
    now = Date.now(),
  ) {
    this.slots = tasks.map((task) => ({ task, dueAt: task.atStart ? now : now + task.everyMs }));
  }

  /** When the next task falls due (Unix ms); `Infinity` without tasks. */
  nextDueAt(): number {
    let next = Infinity;
    for (const slot of this.slots) next = Math.min(next, slot.dueAt);
    return next;
  }

  async runDue(now = Date.now()): Promise<void> {
    for (const slot of this.slots) {
      if (now < slot.dueAt) continue;
      slot.dueAt = now + slot.task.everyMs;
      try {
        if ((await slot.task.run(now)) === 'more') slot.dueAt = now;
      } catch (error) {
        this.logger.error({ err: error, task: slot.task.name }, `could not ${slot.task.what}`);
        this.onError(slot.task, error);
      }
    }
  }
}
