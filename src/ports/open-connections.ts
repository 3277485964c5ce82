import type { Fingerprint } from '../domain/fingerprint.js';

export const OpenConnections = Symbol('OpenConnections');

/**
 * The daemon's open client connections that showed a trusted certificate, by fingerprint, so
 * that a certificate that stops being trusted stops being served at once: a connection
 * established while it was trusted would otherwise stay usable until it closes.
 */
export interface OpenConnections {
  /** The fingerprints of the certificates that open, trusted connections present. O(distinct certificates). */
  fingerprints(): readonly Fingerprint[];

  /**
   * Ends every open connection presenting this certificate, at once: calls in flight fail,
   * and a client that reconnects is judged afresh. Idempotent.
   * @returns how many connections were ended.
   */
  closeAllOf(fingerprint: Fingerprint): number;
}
