import type { Fingerprint } from '../domain/fingerprint.js';
import type { TrustedCertificate } from '../domain/trusted-certificate.js';

export const CertStore = Symbol('CertStore');

/**
 * The set of client certificates the daemon trusts, keyed by SHA-256 fingerprint.
 * Every adapter passes test/contract/cert-store.contract.ts.
 */
export interface CertStore {
  /**
   * Reads the persisted certificates into the in-memory index. Call once before anything
   * else. Unreadable entries are skipped with a log line, never fatal, and are never
   * dropped from the backing data by later writes.
   */
  load(): Promise<void>;

  /** O(1) and in memory: safe to call on every RPC. */
  contains(fingerprint: Fingerprint): boolean;

  /** Number of trusted certificates in the in-memory index. */
  size(): number;

  /**
   * Persists the certificate durably (atomically) before resolving. Idempotent: adding a
   * fingerprint that is already trusted changes nothing and resolves `false`.
   * Certificates added by another process since the last load are kept, never overwritten.
   * @throws AuthError `store-unavailable` when the backing data cannot be written;
   * `invalid-certificate` where the adapter checks the PEM against the fingerprint.
   */
  add(certificate: TrustedCertificate): Promise<boolean>;

  /**
   * Adds many certificates in one atomic write (one transaction, or one file rewrite): after
   * a crash either all of them are trusted or none is. Idempotent like `add`.
   * @returns how many were not trusted before.
   */
  addAll(certificates: readonly TrustedCertificate[]): Promise<number>;

  /** Removes a certificate durably; resolves `false` if it was not trusted. */
  remove(fingerprint: Fingerprint): Promise<boolean>;

  /** Every trusted certificate, in the order they were first trusted. */
  list(): Promise<readonly TrustedCertificate[]>;

  /**
   * Re-reads the backing data so that changes made by other processes (an admin's
   * `multipassd trust add`, a hand-edited PEM file) become visible without a restart.
   */
  refresh(): Promise<void>;

  /** Releases files or connections. The store is unusable afterwards. */
  close(): Promise<void>;
}
