import type { Fingerprint } from '../domain/fingerprint.js';
import type { TrustedCertificate } from '../domain/trusted-certificate.js';
import type { IncomingCertificate, Provenance, SeenTimes, TrustRecord } from '../domain/trust-record.js';

export const CertStore = Symbol('CertStore');

/**
 * The set of client certificates the daemon trusts, keyed by SHA-256 fingerprint, each with
 * the record of how it got in (provenance), an optional label and when it was last seen.
 * Trust itself is only the fingerprint: a record that cannot be read never loses a
 * certificate, it only makes it show as `via: 'file'`.
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

  /**
   * Whether the first admin-group client on an empty store may be trusted on first use (rule
   * 3); absent means it may. False for a store many daemons share: there the first caller of
   * any host would become trusted by the whole fleet, so trust starts with an admin's explicit
   * `multipassd trust add`.
   */
  readonly bootstrapAllowed?: boolean;

  /** O(1) and in memory: safe to call on every RPC. */
  contains(fingerprint: Fingerprint): boolean;

  /** Number of trusted certificates in the in-memory index. */
  size(): number;

  /**
   * Persists the certificate durably (atomically) before resolving, with `provenance` (its
   * label normalised as `normaliseLabel` does); without one, as `via: 'file'` trusted now.
   * Idempotent: adding a fingerprint that is already trusted changes nothing, its record
   * included, and resolves `false`.
   * Certificates added by another process since the last load are kept, never overwritten.
   * @throws AuthError `store-unavailable` when the backing data cannot be written;
   * `invalid-certificate` where the adapter checks the PEM against the fingerprint.
   */
  add(certificate: TrustedCertificate, provenance?: Provenance): Promise<boolean>;

  /**
   * Adds many certificates in one atomic write (one transaction, or one file rewrite): after
   * a crash either all of them are trusted or none is. Idempotent like `add`. A certificate
   * that carries its own record (`IncomingCertificate`, from another store) keeps it, its
   * last-seen time included; the others get `provenance`, as with `add`.
   * @returns how many were not trusted before.
   */
  addAll(certificates: readonly IncomingCertificate[], provenance?: Provenance): Promise<number>;

  /**
   * Removes a certificate durably; resolves `false` if it was not trusted. Removing the last
   * one leaves an empty store that reopens as empty, not as `fault()`.
   */
  remove(fingerprint: Fingerprint): Promise<boolean>;

  /**
   * Every trusted certificate with its record, in the order they were first trusted. Reads the
   * records from the backing data (never per RPC: for admin commands). A certificate with no
   * readable record is listed as `via: 'file'`.
   */
  list(): Promise<readonly TrustRecord[]>;

  /**
   * Sets (or with `undefined` or an empty text, clears) a trusted certificate's label,
   * durably; normalised as `normaliseLabel` does.
   * @returns false, changing nothing, when the fingerprint is not trusted.
   */
  setLabel(fingerprint: Fingerprint, label: string | undefined): Promise<boolean>;

  /**
   * Records when trusted certificates were last seen, in one write for the lot. Each stored
   * time only moves forward; fingerprints no longer trusted are ignored. Meant for a caller
   * that coalesces (the LastSeenTracker flushes every few minutes), never for each RPC.
   */
  recordSeen(seen: SeenTimes): Promise<void>;

  /**
   * Re-reads the backing data so that changes made by other processes (an admin's
   * `multipassd trust add`, a hand-edited PEM file) become visible without a restart, and
   * re-evaluates `fault()`.
   */
  refresh(): Promise<void>;

  /** Releases files or connections. The store is unusable afterwards. */
  close(): Promise<void>;
}
