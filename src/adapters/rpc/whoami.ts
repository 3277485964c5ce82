import type { Fingerprint } from '../../domain/fingerprint.js';
import type { Provenance } from '../../domain/trust-record.js';

/** What the daemon says about this client (`multipassd.Client/whoami`): never a secret. */
export interface WhoamiResult {
  /** Absent when the client showed no certificate. */
  readonly fingerprint?: Fingerprint;
  readonly trusted: boolean;
  /** How, when (and with which label) this client was trusted, when it is. */
  readonly provenance?: Provenance;
  readonly passphraseSet: boolean;
  /** An admin has issued an enrolment token that can still be used. */
  readonly tokensActive: boolean;
  /** Who can trust clients besides root; undefined when the daemon has no admin group. */
  readonly adminGroup?: string;
  /** The kernel reports this user as root, the daemon's user or the admin group. */
  readonly admin: boolean;
  /** Nobody is trusted yet, and this user's first command will be trusted. */
  readonly bootstrapOpen: boolean;
  /** Another certificate this uid enrolled: this client's certificate was replaced. */
  readonly otherCertificate?: { readonly fingerprint: Fingerprint; readonly provenance: Provenance };
  readonly transport: string;
  /** This user's uid as the daemon's kernel reports it; undefined over TCP. */
  readonly uid?: number;
}

/** A client of `multipassd.Client`. `whoami` rejects with `RpcFailure`. */
export interface WhoamiClient {
  whoami(): Promise<WhoamiResult>;
  close(): void;
}
