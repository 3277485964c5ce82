import type { Fingerprint } from './fingerprint.js';

/**
 * What a CertStore keeps: enough to recognise a client (the fingerprint) and its certificate
 * in canonical PEM armour (64-character lines), as every adapter that makes one writes it.
 * Stores never parse certificates; that would make start-up cost grow with their number.
 */
export interface TrustedCertificate {
  readonly fingerprint: Fingerprint;
  readonly pem: string;
}
