import type { AuditEvent } from '../../domain/audit-event.js';
import type { AuditLog, AuditReadResult } from '../../ports/audit-log.js';

/** An AuditLog in memory: for unit tests and as the contract suite's reference. */
export class InMemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = [];
  /** Set to make every append fail with this message, as a full disk would. */
  failure: string | undefined;

  async append(event: AuditEvent): Promise<void> {
    if (this.failure !== undefined) throw new Error(this.failure);
    this.events.push(event);
  }

  async read(options: { readonly since?: Date } = {}): Promise<AuditReadResult> {
    const since = options.since?.getTime();
    return { events: this.events.filter((event) => since === undefined || event.time.getTime() >= since), skipped: 0 };
  }

  location(): string {
    return '(memory)';
  }
}
