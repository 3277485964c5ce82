import type { Logger } from '../../ports/logger.js';

/** Why the daemon closed a connection before it was trusted. */
export type CloseReason = 'over-cap' | 'handshake-timeout' | 'handshake-failed' | 'untrusted-timeout' | 'unreadable-certificate';

const SUMMARY_EVERY_MS = 60_000;

/**
 * Every closed connection is a debug line; an admin also gets one warning a minute at most
 * that counts them by reason, so a flood is visible at the default level without the log
 * itself becoming the flood.
 */
export class ClosedConnectionLog {
  private counts = new Map<CloseReason, number>();
  private lastSummaryAt = 0;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly logger: Logger) {}

  record(reason: CloseReason, fields: Record<string, unknown>): void {
    this.logger.debug('closed a connection', { reason, ...fields });
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    if (this.pending !== undefined) return;
    const delay = Math.max(0, this.lastSummaryAt + SUMMARY_EVERY_MS - Date.now());
    this.pending = setTimeout(() => this.summarise(), delay);
    this.pending.unref();
  }

  /** Writes the summary now, if anything is pending (for a stopping daemon). */
  flush(): void {
    if (this.pending === undefined) return;
    clearTimeout(this.pending);
    this.summarise();
  }

  private summarise(): void {
    this.pending = undefined;
    this.lastSummaryAt = Date.now();
    const closed = Object.fromEntries(this.counts);
    const total = [...this.counts.values()].reduce((sum, n) => sum + n, 0);
    this.counts = new Map();
    if (total > 0) this.logger.warn(`closed ${total} connection(s) that did not authenticate in time or were over the limits`, { closed });
  }
}
