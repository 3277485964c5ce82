import type { Fingerprint } from './fingerprint.js';

/**
 * What a CertStore keeps: enough to recognise a client (the fingerprint) and to give back
 * exactly the PEM it was given. Stores never parse certificates; that would make start-up
 * cost grow with the number of trusted clients.
 */
export interface TrustedCertificate {
  readonly fingerprint: Fingerprint;
  readonly pem: string;
}
