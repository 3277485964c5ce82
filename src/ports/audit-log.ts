import type { AuditEvent } from '../domain/audit-event.js';

export const AuditLog = Symbol('AuditLog');

export interface AuditReadResult {
  /** Oldest first. */
  readonly events: readonly AuditEvent[];
  /** Lines that could not be read as an event (damaged, or written by something else). */
  readonly skipped: number;
}

/**
 * An append-only record of trust changes, kept across restarts (the file adapter: JSON
 * lines in `<data>/audit.log`, rotated by size). Every adapter passes
 * test/contract/audit-log.contract.ts.
 */
export interface AuditLog {
  /**
   * Appends one event durably before resolving. Appends from several processes (the daemon
   * and an offline admin command) never interleave within a line nor lose one another.
   * @throws when the event cannot be written (the AuditTrail turns that into a warning).
   */
  append(event: AuditEvent): Promise<void>;

  /**
   * The events kept, oldest first (rotated files included), from `since` on when given.
   * Unreadable lines are counted, never fatal.
   */
  read(options?: { readonly since?: Date }): Promise<AuditReadResult>;

  /** Where the log is, for messages to the admin. */
  location(): string;
}
