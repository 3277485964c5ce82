import type { ScheduledTask, Scheduler } from '../../ports/scheduler.js';

/** Node timers that never keep the process alive on their own. */
export class SystemScheduler implements Scheduler {
  after(delayMs: number, task: () => void): ScheduledTask {
    const timer = setTimeout(task, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }
}
