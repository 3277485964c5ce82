import type { Clock } from '../../../src/ports/clock.js';

/** A Clock that stands still until a test moves it. */
export class FakeClock implements Clock {
  private current: Date;

  constructor(start: Date = new Date('2025-06-01T12:00:00.000Z')) {
    this.current = new Date(start.getTime());
  }

  now(): Date {
    // A copy, so that callers cannot move the clock by mutating what they were given.
    return new Date(this.current.getTime());
  }

  set(time: Date): void {
    this.current = new Date(time.getTime());
  }

  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }
}
