import type { AuditLog, AuditReadResult } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { AuditEntry } from './audit-event.js';

export interface AuditTrailSettings {
  /** At most one warning this often while the log cannot be written. */
  readonly warnEveryMs: number;
  /** Repeated refusals (same event, peer and reason) within this window make one line. */
  readonly repeatWindowMs: number;
}

export const DEFAULT_AUDIT_TRAIL: AuditTrailSettings = { warnEveryMs: 60_000, repeatWindowMs: 60_000 };

interface Held {
  entry: AuditEntry;
  count: number;
}

/**
 * Writes the audit log for the domain, and decides what happens when it cannot be written:
 * availability wins. A trust change or an enrolment never fails because its audit line could
 * not be written; the failure is a warning in the daemon's log (at most one a minute) and is
 * reported to the caller, so an admin command can say so.
 *
 * A caller may send refusals at any rate (a throttled guesser, calls on a restricted socket),
 * and a log rotated by size would then lose its history to them. So `recordRepeated` writes
 * the first refusal of a kind from a peer, holds back the others for a minute, and then
 * writes one line carrying how many were left out (`repeats`).
 */
export class AuditTrail {
  private lastWarning = Number.NEGATIVE_INFINITY;
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly log: AuditLog,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly settings: AuditTrailSettings = DEFAULT_AUDIT_TRAIL,
  ) {}

  /**
   * Appends the event, stamped with the time. Never throws.
   * @returns why it could not be written, or undefined once it is.
   */
  async record(entry: AuditEntry): Promise<string | undefined> {
    try {
      await this.log.append({ time: this.clock.now(), ...entry });
      return undefined;
    } catch (error) {
      const problem = `cannot write the audit log '${this.log.location()}': ${error instanceof Error ? error.message : String(error)}`;
      const now = this.clock.now().getTime();
      if (now - this.lastWarning >= this.settings.warnEveryMs) {
        this.lastWarning = now;
        this.logger.warn(problem, { file: this.log.location(), event: entry.event });
      }
      return problem;
    }
  }

  /**
   * Like `record`, for events that may come in floods: the first one with this `key` is written
   * at once, later ones within the window are counted and written as one line at its end.
   */
  async recordRepeated(key: string, entry: AuditEntry): Promise<string | undefined> {
    const held = this.held.get(key);
    if (held !== undefined) {
      held.entry = entry;
      held.count += 1;
      return undefined;
    }
    const window: Held = { entry, count: 0 };
    this.held.set(key, window);
    this.scheduler.after(this.settings.repeatWindowMs, () => {
      this.held.delete(key);
      if (window.count > 0) void this.record({ ...window.entry, repeats: window.count - 1 });
    });
    return this.record(entry);
  }

  read(options?: { readonly since?: Date }): Promise<AuditReadResult> {
    return this.log.read(options);
  }

  location(): string {
    return this.log.location();
  }
}
