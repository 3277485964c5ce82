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
   * dropped from the backing data by later writes. Backing data that exists but cannot be
   * read as a store does not make it throw either: it sets `fault()`.
   */
  load(): Promise<void>;

  /**
   * Why the backing data cannot be read as a store; undefined when it can, and when there is
   * none yet (a fresh install). Set when the data exists but is not a store: a zero-length or
   * whitespace-only PEM file, a PEM file with no valid certificate, an unreadable file, a
   * zero-length or not-a-database SQLite file. Such a store is faulty, not fresh: while this
   * is set the index is empty and the daemon must not bootstrap a first admin over it.
   * `load` and `refresh` re-evaluate it, so deleting the data (starting afresh), restoring it,
   * or `add` (`multipassd trust add`, wherever the adapter can write over the damaged data)
   * clears it without a restart. The text is for the admin: it names the file and the ways out.
   */
  fault(): string | undefined;

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

  /**
   * Removes a certificate durably; resolves `false` if it was not trusted. Removing the last
   * one leaves an empty store that reopens as empty, not as `fault()`.
   */
  remove(fingerprint: Fingerprint): Promise<boolean>;

  /** Every trusted certificate, in the order they were first trusted. */
  list(): Promise<readonly TrustedCertificate[]>;

  /**
   * Re-reads the backing data so that changes made by other processes (an admin's
   * `multipassd trust add`, a hand-edited PEM file) become visible without a restart, and
   * re-evaluates `fault()`.
   */
  refresh(): Promise<void>;

  /** Releases files or connections. The store is unusable afterwards. */
  close(): Promise<void>;
}
