import type { CertStore } from '../ports/cert-store.js';
import type { Clock } from '../ports/clock.js';
import type { OpenConnections } from '../ports/open-connections.js';
import type { AuditPeer } from './audit-event.js';
import type { AuditTrail } from './audit-trail.js';
import type { Fingerprint } from './fingerprint.js';
import type { LastSeenTracker } from './last-seen-tracker.js';
import type { TrustedCertificate } from './trusted-certificate.js';
import { laterOf, normaliseLabel, type Provenance, type TrustRecord, type TrustVia } from './trust-record.js';

/** What an admin change did, and why its audit line is missing when it is. */
export interface AdminOutcome {
  /** False when there was nothing to do: already trusted, not trusted, no such certificate. */
  readonly changed: boolean;
  readonly auditProblem?: string;
}

/** What the running daemon adds to the use cases; the offline commands have neither. */
export interface LiveTrustState {
  /** Last-seen times noted since the last flush: fresher than the store's. */
  readonly seen?: Pick<LastSeenTracker, 'noted'>;
  /** The open connections, so that a removed certificate is cut off at once. */
  readonly connections?: OpenConnections;
}

/**
 * The admin's use cases on who is trusted: list, add, remove, label. Each change is recorded
 * in the audit log with the admin who made it. The offline `multipassd trust ...` commands
 * call these on the configured store, and a live admin channel can call the same ones on the
 * daemon's own store.
 *
 * A change is made even when its audit line cannot be written (see AuditTrail): refusing to
 * remove a stolen certificate because the disk is full would be the worse failure.
 */
export class TrustAdministration {
  constructor(
    private readonly store: CertStore,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly live: LiveTrustState = {},
  ) {}

  /** Every trusted certificate with its record; last seen as fresh as the daemon knows it. */
  async list(): Promise<readonly TrustRecord[]> {
    const seen = this.live.seen;
    const records = await this.store.list();
    if (seen === undefined) return records;
    return records.map((record) => {
      const lastSeen = laterOf(record.lastSeen, seen.noted(record.fingerprint));
      return lastSeen === undefined ? record : { ...record, lastSeen };
    });
  }

  /** One trusted certificate's record, or undefined when it is not trusted. */
  async show(fingerprint: Fingerprint): Promise<TrustRecord | undefined> {
    return (await this.list()).find((record) => record.fingerprint === fingerprint);
  }

  /**
   * Trusts `certificate` as the admin `actor`'s decision (`via: 'admin'`, or `'import'` for
   * certificates copied from a Multipass installation). A certificate trusted already keeps
   * its record; a label given then replaces its label.
   */
  async add(
    certificate: TrustedCertificate,
    options: { readonly label?: string; readonly actor?: AuditPeer; readonly via?: Extract<TrustVia, 'admin' | 'import'> } = {},
  ): Promise<AdminOutcome & { readonly added: boolean }> {
    const label = normaliseLabel(options.label);
    const via = options.via ?? 'admin';
    const provenance: Provenance = {
      via,
      at: this.clock.now(),
      ...(options.actor?.uid === undefined ? {} : { uid: options.actor.uid }),
      ...(options.actor?.user === undefined ? {} : { user: options.actor.user }),
      ...(label === undefined ? {} : { label }),
    };
    const added = await this.store.add(certificate, provenance);
    if (!added) {
      const relabelled = label === undefined ? { changed: false } : await this.label(certificate.fingerprint, label, options.actor);
      return { ...relabelled, added: false };
    }
    const outcome = await this.outcome(true, {
      event: via === 'import' ? 'trust.import' : 'trust.add',
      outcome: 'ok',
      fingerprint: certificate.fingerprint,
      via,
      ...(label === undefined ? {} : { label }),
      ...actorOf(options.actor),
    });
    return { ...outcome, added: true };
  }

  /**
   * Stops trusting a certificate. In the daemon, its open connections are ended at once as
   * well (`connectionsClosed`): the next call on them fails, and a reconnect is refused.
   */
  async remove(fingerprint: Fingerprint, actor?: AuditPeer): Promise<AdminOutcome & { readonly connectionsClosed: number }> {
    const removed = await this.store.remove(fingerprint);
    const connectionsClosed = this.live.connections?.closeAllOf(fingerprint) ?? 0;
    if (!removed) return { changed: false, connectionsClosed };
    const outcome = await this.outcome(true, { event: 'trust.remove', outcome: 'ok', fingerprint, ...actorOf(actor) });
    return { ...outcome, connectionsClosed };
  }

  /** Sets or (with undefined or '') clears the label of a trusted certificate. */
  async label(fingerprint: Fingerprint, label: string | undefined, actor?: AuditPeer): Promise<AdminOutcome> {
    const clean = normaliseLabel(label);
    const labelled = await this.store.setLabel(fingerprint, clean);
    if (!labelled) return { changed: false };
    return this.outcome(true, {
      event: 'trust.label',
      outcome: 'ok',
      fingerprint,
      ...(clean === undefined ? {} : { label: clean }),
      ...actorOf(actor),
    });
  }

  private async outcome(changed: boolean, entry: Parameters<AuditTrail['record']>[0]): Promise<AdminOutcome> {
    const auditProblem = await this.audit.record(entry);
    return auditProblem === undefined ? { changed } : { changed, auditProblem };
  }
}

const actorOf = (actor: AuditPeer | undefined): { peer?: AuditPeer } => (actor === undefined ? {} : { peer: actor });
