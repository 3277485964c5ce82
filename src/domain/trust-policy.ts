import type { CertStore } from '../ports/cert-store.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { OpenConnections } from '../ports/open-connections.js';
import type { SocketAccess } from '../ports/socket-access.js';
import type { UserDirectory } from '../ports/user-directory.js';
import type { AuditEntry } from './audit-event.js';
import type { AuditTrail } from './audit-trail.js';
import { AuthError } from './auth-error.js';
import type { Caller } from './caller.js';
import { isCurrentlyValid, type ClientCertificate } from './client-certificate.js';
import type { EnrolmentThrottle } from './enrolment-throttle.js';
import { EnrolmentTokens, tokenRefusalOf } from './enrolment-tokens.js';
import type { EnrolmentToken } from './enrolment-token.js';
import type { Fingerprint } from './fingerprint.js';
import type { LastSeenTracker } from './last-seen-tracker.js';
import type { PassphraseVault } from './passphrase-vault.js';
import { PeerNames } from './peer-names.js';
import { peerKey, type Peer } from './peer.js';
import type { Provenance } from './trust-record.js';

/** Why a caller was admitted; `bootstrap` is the first admin-group client on an empty store. */
export interface Principal {
  readonly fingerprint: Fingerprint;
  readonly via: 'trusted' | 'bootstrap' | 'passphrase' | 'token';
}

/** Both lines, as Multipass's daemon sends them: any client prints the status text as it is. */
export const NOT_AUTHENTICATED_MESSAGE =
  "The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.";

export interface TrustPolicyOptions {
  /**
   * Refuse certificates outside their validity dates. Off by default, as in Multipass: a stored
   * certificate is a pin, and Multipass clients never renew theirs.
   */
  readonly rejectExpired: boolean;
}

export interface TrustPolicyDeps {
  readonly store: CertStore;
  readonly access: SocketAccess;
  readonly vault: PassphraseVault;
  readonly throttle: EnrolmentThrottle;
  readonly users: UserDirectory;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options?: TrustPolicyOptions;
  /** One-time enrolment tokens; without them, every secret is a passphrase. */
  readonly tokens?: EnrolmentTokens;
  /** Where bootstraps, enrolments and their refusals are recorded. */
  readonly audit?: AuditTrail;
  /** Notes trusted callers as seen, in memory (the daemon flushes it). */
  readonly seen?: LastSeenTracker;
  /** Open trusted connections: those of a certificate no longer trusted are ended at resync. */
  readonly connections?: OpenConnections;
}

/**
 * Decides whom the daemon trusts (DESIGN.md, trust rules 1-7).
 * Authentication (which certificate, which peer?) is the transport's job; this class only decides.
 */
export class TrustPolicy {
  /** Serialises bootstrap so that two simultaneous first callers cannot both be trusted. */
  private bootstrapQueue: Promise<unknown> = Promise.resolve();
  private readonly store: CertStore;
  private readonly access: SocketAccess;
  private readonly logger: Logger;
  private readonly names: PeerNames;

  constructor(private readonly deps: TrustPolicyDeps) {
    this.store = deps.store;
    this.access = deps.access;
    this.logger = deps.logger;
    this.names = new PeerNames(deps.users);
  }

  /** Rule 7: an empty store keeps the socket restricted so that bootstrap is safe; so does a damaged one. */
  async applyStartupAccess(): Promise<void> {
    if (this.store.size() === 0 || this.store.fault() !== undefined) {
      await this.access.restrict();
    } else {
      await this.access.open();
    }
  }

  /** O(1) and in memory: whether a certificate is pinned in the store (transports ask it once per connection). */
  isTrusted(fingerprint: Fingerprint): boolean {
    return this.store.contains(fingerprint);
  }

  /**
   * Takes in changes other processes made to the store (`multipassd trust add/remove`), and
   * applies rule 7 live: someone trusted opens the socket; nobody trusted restricts it again,
   * so an admin can bootstrap without a restart. That is safe now that bootstrap also checks
   * the caller's peer credentials: a non-admin connected through the open socket cannot use it.
   */
  async resync(): Promise<void> {
    await this.store.refresh();
    this.endConnectionsNoLongerTrusted();
    if (this.store.size() !== 0) {
      if (this.access.isRestricted()) await this.access.open();
    } else if (this.access.restrictable && !this.access.isRestricted()) {
      await this.access.restrict();
      if (this.access.isRestricted()) this.logger.info('nobody is trusted any more: restricted the socket to the admin group again');
    }
  }

  /**
   * A certificate removed by another process (`multipassd trust remove --offline`) stops
   * being served here at the first resync after: its open connections are ended, not left
   * usable until they close.
   */
  private endConnectionsNoLongerTrusted(): void {
    const connections = this.deps.connections;
    if (connections === undefined) return;
    for (const fingerprint of connections.fingerprints()) {
      if (this.store.contains(fingerprint)) continue;
      const closed = connections.closeAllOf(fingerprint);
      if (closed > 0) this.logger.info('ended the connections of a certificate that is no longer trusted', { fingerprint, connections: closed });
    }
  }

  /**
   * Rules 1-3: admits a caller whose certificate is trusted; with `bootstrap`, also the first
   * admin caller on a restricted transport while the store is empty (`ping` never bootstraps,
   * as in Multipass).
   * @throws AuthError `not-trusted`
   */
  async admit(caller: Caller, { bootstrap }: { bootstrap: boolean } = { bootstrap: true }): Promise<Principal> {
    const cert = this.presentedCertificate(caller);
    if (this.store.contains(cert.fingerprint)) {
      this.deps.seen?.note(cert.fingerprint);
      return { fingerprint: cert.fingerprint, via: 'trusted' };
    }
    // Before refusing, look again: an admin may have trusted this client from another process
    // (`multipassd trust add`). Only unknown callers pay for this, never trusted ones.
    await this.resync();
    if (this.store.contains(cert.fingerprint)) {
      return { fingerprint: cert.fingerprint, via: 'trusted' };
    }
    // Rule 4: only the Unix socket has an OS restriction that makes bootstrap safe.
    // A damaged store is not an empty one: no bootstrap until the admin restores or deletes it.
    // A store the fleet shares never bootstraps: the admin trusts the first user explicitly.
    if (
      !bootstrap ||
      caller.transport !== 'unix' ||
      !this.access.isRestricted() ||
      this.store.fault() !== undefined ||
      this.store.bootstrapAllowed === false
    ) {
      throw notTrusted();
    }
    if (!(await this.isAdminPeer(caller.peer))) {
      this.logger.warn('refused to bootstrap trust for a caller that is neither root nor in the admin group', {
        fingerprint: cert.fingerprint,
        peer: await this.names.forLog(caller.peer),
      });
      await this.deps.audit?.recordRepeated(`bootstrap:${peerKey(caller.peer)}`, {
        event: 'trust.bootstrap.refused',
        outcome: 'refused',
        fingerprint: cert.fingerprint,
        peer: await this.names.forAudit(caller.peer),
        reason: 'not-admin',
      });
      throw notTrusted();
    }
    return this.serialised(async () => {
      // Fresh look inside the lock: an admin may have trusted someone a moment ago.
      await this.store.refresh();
      if (this.store.contains(cert.fingerprint)) {
        return { fingerprint: cert.fingerprint, via: 'trusted' } as const;
      }
      if (this.store.size() !== 0 || !this.access.isRestricted() || this.store.fault() !== undefined) {
        throw notTrusted();
      }
      await this.trust(cert, await this.names.provenance('bootstrap', caller.peer, this.deps.clock.now()));
      this.logger.info('trusted the first admin client on the restricted socket', {
        fingerprint: cert.fingerprint,
        peer: await this.names.forLog(caller.peer),
      });
      await this.deps.audit?.record({
        event: 'trust.bootstrap',
        outcome: 'ok',
        fingerprint: cert.fingerprint,
        via: 'bootstrap',
        peer: await this.names.forAudit(caller.peer),
      });
      // The call that bootstraps is the client's first trusted call.
      this.deps.seen?.note(cert.fingerprint);
      return { fingerprint: cert.fingerprint, via: 'bootstrap' } as const;
    });
  }

  /**
   * Rule 5: a caller who knows the passphrase, or holds a one-time enrolment token, has its
   * certificate trusted. A secret shaped like a token (`mpt-...`) is only ever tried as a
   * token, so a token works with no passphrase set, and a wrong, used, revoked or expired one
   * gets the wrong-passphrase answer and counts as a wrong guess. Checks wait their turn in the
   * throttle, per peer; every refusal is logged and audited with the certificate and the peer.
   * @throws AuthError `no-passphrase-set`, `passphrase-mismatch`, `too-many-attempts`,
   * `not-trusted` (no certificate)
   */
  async enrol(caller: Caller, secret: string): Promise<Principal> {
    const cert = this.presentedCertificate(caller);
    const tokens = this.deps.tokens;
    const viaToken = tokens !== undefined && EnrolmentTokens.looksLikeToken(secret);
    const via = viaToken ? 'token' : 'passphrase';
    let token: EnrolmentToken | undefined;
    try {
      await this.deps.throttle.attempt(caller.peer, async () => {
        if (viaToken) token = await tokens.redeem(secret, cert.fingerprint);
        else await this.deps.vault.verify(secret);
      });
    } catch (error) {
      if (AuthError.is(error)) await this.refusedEnrolment(caller, cert, via, error);
      throw error;
    }
    // A token's label names whoever enrols with it.
    const label = token?.label;
    const provenance = await this.names.provenance(via, caller.peer, this.deps.clock.now());
    const added = await this.trust(cert, label === undefined ? provenance : { ...provenance, label });
    this.logger.info(`trusted a client that gave ${viaToken ? 'an enrolment token' : 'the passphrase'}`, {
      fingerprint: cert.fingerprint,
      peer: await this.names.forLog(caller.peer),
      ...(token === undefined ? {} : { token: token.id }),
    });
    await this.deps.audit?.record({
      event: 'trust.enrol',
      outcome: 'ok',
      fingerprint: cert.fingerprint,
      via,
      peer: await this.names.forAudit(caller.peer),
      ...(token === undefined ? {} : { tokenId: token.id }),
      ...(label === undefined ? {} : { label }),
      ...(added ? {} : { reason: 'already-trusted' }),
    });
    return { fingerprint: cert.fingerprint, via };
  }

  /**
   * Logs and audits a refused enrolment. A wrong guess is one line each (the throttle bounds
   * them); other refusals, which a client may send at any rate, are coalesced per peer.
   */
  private async refusedEnrolment(caller: Caller, cert: ClientCertificate, via: 'token' | 'passphrase', error: AuthError): Promise<void> {
    const refusal = tokenRefusalOf(error);
    const reason = refusal?.reason ?? error.code;
    this.logger.info('refused an enrolment', {
      reason,
      fingerprint: cert.fingerprint,
      peer: await this.names.forLog(caller.peer),
      failuresThisMinute: this.deps.throttle.recentFailures(caller.peer),
      ...(refusal?.tokenId === undefined ? {} : { token: refusal.tokenId }),
    });
    const audit = this.deps.audit;
    if (audit === undefined) return;
    const entry: AuditEntry = {
      event: 'trust.enrol.refused',
      outcome: 'refused',
      fingerprint: cert.fingerprint,
      via,
      peer: await this.names.forAudit(caller.peer),
      reason,
      ...(refusal?.tokenId === undefined ? {} : { tokenId: refusal.tokenId }),
    };
    if (error.code === 'passphrase-mismatch') await audit.record(entry);
    else await audit.recordRepeated(`enrol:${peerKey(caller.peer)}:${reason}`, entry);
  }

  /** Defence in depth (rule 3): whatever the socket's mode, only root or the admin group bootstraps. */
  private async isAdminPeer(peer: Peer): Promise<boolean> {
    if (peer.kind !== 'unix') return false;
    return this.deps.users.isAdmin(peer.uid, peer.gid);
  }

  private presentedCertificate(caller: Caller): ClientCertificate {
    const cert = caller.certificate;
    if (cert === undefined) {
      throw notTrusted();
    }
    if (this.deps.options?.rejectExpired === true && !isCurrentlyValid(cert, this.deps.clock.now())) {
      throw new AuthError('invalid-certificate', 'The client certificate is expired or not yet valid.');
    }
    return cert;
  }

  /** Once any client is trusted the socket is opened, as Multipass does. False when it was trusted already. */
  private async trust(cert: ClientCertificate, provenance: Provenance): Promise<boolean> {
    const added = await this.store.add({ fingerprint: cert.fingerprint, pem: cert.pem }, provenance);
    await this.access.open();
    return added;
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.bootstrapQueue.then(work, work);
    this.bootstrapQueue = next.catch(() => undefined);
    return next;
  }
}

function notTrusted(): AuthError {
  return new AuthError('not-trusted', NOT_AUTHENTICATED_MESSAGE);
}
