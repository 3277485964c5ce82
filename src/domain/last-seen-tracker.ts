import type { CertStore } from '../ports/cert-store.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Fingerprint } from './fingerprint.js';

/**
 * When each trusted certificate was last seen, without a write per call: `note` only sets an
 * entry in memory (O(1), no I/O: it runs on every trusted RPC), and `flush` hands what was
 * noted since the last flush to the store in one write. The daemon flushes every few minutes
 * and at stop, so the stored times lag by that much at most.
 */
export class LastSeenTracker {
  private pending = new Map<Fingerprint, Date>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: CertStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  note(fingerprint: Fingerprint): void {
    this.pending.set(fingerprint, this.clock.now());
  }

  /** The time noted since the last flush, if any: fresher than what the store says. */
  noted(fingerprint: Fingerprint): Date | undefined {
    return this.pending.get(fingerprint);
  }

  /**
   * Writes the noted times in one store write. Never throws: when the store cannot be
   * written the times are kept for the next flush and a warning is logged. Flushes run one
   * after the other.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushNow());
    this.flushing = run;
    return run;
  }

  private async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.store.recordSeen(batch);
    } catch (error) {
      // Keep them, unless a call since has noted a later time.
      for (const [fingerprint, at] of batch) if (!this.pending.has(fingerprint)) this.pending.set(fingerprint, at);
      this.logger.warn('cannot record when trusted clients were last seen; will try again', {
        certificates: batch.size,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
