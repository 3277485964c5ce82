import type { ScheduledTask, Scheduler } from '../../../src/ports/scheduler.js';
import type { FakeClock } from './fake-clock.js';

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly task: () => void;
  cancelled: boolean;
}

/** A Scheduler that runs tasks only when a test moves its FakeClock with `advance`. */
export class FakeScheduler implements Scheduler {
  private entries: Entry[] = [];
  private seq = 0;

  constructor(private readonly clock: FakeClock) {}

  after(delayMs: number, task: () => void): ScheduledTask {
    const entry: Entry = { at: this.clock.now().getTime() + Math.max(0, delayMs), seq: this.seq++, task, cancelled: false };
    this.entries.push(entry);
    return { cancel: () => void (entry.cancelled = true) };
  }

  /** Moves the clock by `ms`, running every task that falls due on the way, in time order, with microtasks settled between them. */
  async advance(ms: number): Promise<void> {
    const until = this.clock.now().getTime() + ms;
    for (;;) {
      await settle();
      const due = this.entries
        .filter((entry) => !entry.cancelled && entry.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.entries = this.entries.filter((entry) => entry !== due);
      if (due.at > this.clock.now().getTime()) this.clock.set(new Date(due.at));
      due.task();
    }
    this.clock.set(new Date(until));
    await settle();
  }

  /** Tasks still waiting. */
  pending(): number {
    return this.entries.filter((entry) => !entry.cancelled).length;
  }
}

/** Lets promise chains run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
