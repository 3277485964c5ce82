import type { CertStore } from '../ports/cert-store.js';
import type { Clock } from '../ports/clock.js';
import type { SocketAccess } from '../ports/socket-access.js';
import type { AdminPeers } from './admin-peers.js';
import type { Caller } from './caller.js';
import type { EnrolmentTokens } from './enrolment-tokens.js';
import type { Fingerprint } from './fingerprint.js';
import type { PassphraseVault } from './passphrase-vault.js';
import type { Provenance, TrustRecord } from './trust-record.js';

/**
 * What a client may learn about itself, trusted or not (`multipass whoami`, `multipass
 * doctor`): enough to tell a locked-out user why and what to do (Multipass's issue #2552:
 * nobody can enrol while no passphrase is set), never a secret nor anyone else's data.
 */
export interface ClientStatusReport {
  /** Absent when the client showed no certificate. */
  readonly fingerprint?: Fingerprint;
  readonly trusted: boolean;
  /** How and when this certificate was trusted, when it is. */
  readonly provenance?: Provenance;
  readonly passphraseSet: boolean;
  /** Whether an admin has issued an enrolment token that can still be used (not which, nor how many). */
  readonly tokensActive: boolean;
  /** Whether the kernel reports the caller as root, the daemon's user or the admin group. */
  readonly admin: boolean;
  /** Nobody is trusted yet and this caller would be trusted by its first command (bootstrap). */
  readonly bootstrapOpen: boolean;
  /** Another certificate trusted for the caller's own uid (its client certificate was replaced). */
  readonly otherCertificate?: { readonly fingerprint: Fingerprint; readonly provenance: Provenance };
}

/**
 * Whether `uid` enrolled this certificate itself: by bootstrap, passphrase or token the
 * record's uid is the client's own. For `admin` and `import` it is the admin's, who is not
 * the certificate's owner, so such records say nothing about whose certificate it is.
 */
function enrolledBy(record: TrustRecord, uid: number): boolean {
  const { via } = record.provenance;
  return record.provenance.uid === uid && (via === 'bootstrap' || via === 'passphrase' || via === 'token');
}

/** How long the records and tokens read for these answers are reused: anyone may ask, as often as they like. */
export const CLIENT_STATUS_CACHE_MS = 2000;

interface Snapshot {
  readonly at: number;
  /** The store's size when read: a certificate trusted or removed since makes it stale at once. */
  readonly size: number;
  readonly records: Promise<readonly TrustRecord[]>;
  readonly tokensActive: Promise<boolean>;
}

export interface ClientStatusDeps {
  readonly store: CertStore;
  readonly vault: PassphraseVault;
  readonly tokens: EnrolmentTokens;
  readonly access: SocketAccess;
  readonly admins: AdminPeers;
  readonly clock: Clock;
}

export class ClientStatus {
  private snapshot: Snapshot | undefined;

  constructor(private readonly deps: ClientStatusDeps) {}

  async of(caller: Caller): Promise<ClientStatusReport> {
    const { store, vault, access, admins } = this.deps;
    const fingerprint = caller.certificate?.fingerprint;
    const trusted = fingerprint !== undefined && store.contains(fingerprint);
    let records = await this.current().records;
    // Trusted since the records were read (it just enrolled): read them again, once.
    if (trusted && !records.some((record) => record.fingerprint === fingerprint)) records = await this.current(true).records;
    const own = trusted ? records.find((record) => record.fingerprint === fingerprint) : undefined;
    const peer = caller.peer;
    const other =
      peer.kind === 'unix'
        ? records.filter((record) => record.fingerprint !== fingerprint && enrolledBy(record, peer.uid)).at(-1)
        : undefined;
    const admin = await admins.isAdmin(peer);
    return {
      ...(fingerprint === undefined ? {} : { fingerprint }),
      trusted,
      ...(own === undefined ? {} : { provenance: own.provenance }),
      passphraseSet: await vault.isSet(),
      tokensActive: await this.current().tokensActive,
      admin,
      bootstrapOpen:
        !trusted && admin && caller.transport === 'unix' && access.isRestricted() && store.size() === 0 && store.fault() === undefined,
      ...(other === undefined ? {} : { otherCertificate: { fingerprint: other.fingerprint, provenance: other.provenance } }),
    };
  }

  private current(fresh = false): Snapshot {
    const now = this.deps.clock.now().getTime();
    const cached = this.snapshot;
    const size = this.deps.store.size();
    if (!fresh && cached !== undefined && now - cached.at < CLIENT_STATUS_CACHE_MS && cached.size === size) return cached;
    const snapshot: Snapshot = {
      at: now,
      size,
      records: this.deps.store.list(),
      tokensActive: this.deps.tokens.list().then((views) => views.some((view) => view.state === 'active')),
    };
    // A failed read is not kept: the next caller tries again.
    snapshot.records.catch(() => this.forget(snapshot));
    snapshot.tokensActive.catch(() => this.forget(snapshot));
    this.snapshot = snapshot;
    return snapshot;
  }

  private forget(snapshot: Snapshot): void {
    if (this.snapshot === snapshot) this.snapshot = undefined;
  }
}
