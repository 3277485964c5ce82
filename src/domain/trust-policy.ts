import type { CertStore } from '../ports/cert-store.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { SocketAccess } from '../ports/socket-access.js';
import { AuthError } from './auth-error.js';
import type { Caller } from './caller.js';
import { isCurrentlyValid, type ClientCertificate } from './client-certificate.js';
import type { Fingerprint } from './fingerprint.js';
import type { PassphraseVault } from './passphrase-vault.js';

/** Why a caller was admitted; `bootstrap` is the first admin-group client on an empty store. */
export interface Principal {
  readonly fingerprint: Fingerprint;
  readonly via: 'trusted' | 'bootstrap' | 'passphrase';
}

export const NOT_AUTHENTICATED_MESSAGE = 'The client is not authenticated with the Multipass service.';

/**
 * Decides whom the daemon trusts (DESIGN.md, trust rules 1-3 and 5-7).
 * Authentication (which certificate is this?) is the transport's job; this class only decides.
 */
export class TrustPolicy {
  /** Serialises bootstrap so that two simultaneous first callers cannot both be trusted. */
  private bootstrapQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: CertStore,
    private readonly access: SocketAccess,
    private readonly vault: PassphraseVault,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Rule 7: an empty store keeps the socket restricted so that bootstrap is safe; so does a damaged one. */
  async applyStartupAccess(): Promise<void> {
    if (this.store.size() === 0 || this.store.fault() !== undefined) {
      await this.access.restrict();
    } else {
      await this.access.open();
    }
  }

  /**
   * Takes in changes other processes made to the store (`multipassd trust add/remove`).
   * Someone trusted means the socket is opened, as at start (rule 7). It is never restricted
   * again while running: a caller already connected through the open socket is not proven to
   * be in the admin group, so re-enabling bootstrap under it would trust anyone. An emptied
   * store is restricted again at the next start.
   */
  async resync(): Promise<void> {
    await this.store.refresh();
    if (this.store.size() !== 0 && this.access.isRestricted()) await this.access.open();
  }

  /**
   * Rules 1-3: admits a caller whose certificate is trusted, or the first caller on a
   * restricted transport while the store is empty.
   * @throws AuthError `not-trusted`
   */
  async admit(caller: Caller): Promise<Principal> {
    const cert = this.presentedCertificate(caller);
    if (this.store.contains(cert.fingerprint)) {
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
    if (caller.transport !== 'unix' || !this.access.isRestricted() || this.store.fault() !== undefined) {
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
      await this.trust(cert);
      this.logger.info('trusted the first client on the restricted socket', { fingerprint: cert.fingerprint });
      return { fingerprint: cert.fingerprint, via: 'bootstrap' } as const;
    });
  }

  /**
   * Rule 5: a caller who knows the passphrase has its certificate trusted.
   * @throws AuthError `no-passphrase-set`, `passphrase-mismatch`, `not-trusted` (no certificate)
   */
  async enrol(caller: Caller, passphrase: string): Promise<Principal> {
    const cert = this.presentedCertificate(caller);
    await this.vault.verify(passphrase);
    await this.trust(cert);
    this.logger.info('trusted a client that gave the passphrase', { fingerprint: cert.fingerprint });
    return { fingerprint: cert.fingerprint, via: 'passphrase' };
  }

  private presentedCertificate(caller: Caller): ClientCertificate {
    const cert = caller.certificate;
    if (cert === undefined) {
      throw notTrusted();
    }
    if (!isCurrentlyValid(cert, this.clock.now())) {
      throw new AuthError('invalid-certificate', 'The client certificate is expired or not yet valid.');
    }
    return cert;
  }

  /** Once any client is trusted the socket is opened, as Multipass does. */
  private async trust(cert: ClientCertificate): Promise<void> {
    await this.store.add({ fingerprint: cert.fingerprint, pem: cert.pem });
    await this.access.open();
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
