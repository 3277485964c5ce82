export const Scheduler = Symbol('Scheduler');

/** A scheduled task that can be called off. Cancelling a task that already ran is harmless. */
export interface ScheduledTask {
  cancel(): void;
}

/**
 * Runs a task later. Domain services that wait (the enrolment throttle's backoff) use this and
 * the Clock instead of timers, so tests can move time by hand. The system adapter's timers
 * never keep the process alive on their own.
 */
export interface Scheduler {
  /** Runs `task` once, `delayMs` from now (0 or less: as soon as possible, never synchronously). */
  after(delayMs: number, task: () => void): ScheduledTask;
}
