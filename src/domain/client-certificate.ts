import type { TrustedCertificate } from './trusted-certificate.js';

/**
 * A certificate a client presented on a connection. The transport adapter reads the dates
 * once per connection; the domain only compares fingerprints and checks the dates.
 */
export interface ClientCertificate extends TrustedCertificate {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export function isCurrentlyValid(cert: ClientCertificate, now: Date): boolean {
  const t = now.getTime();
  return cert.notBefore.getTime() <= t && t <= cert.notAfter.getTime();
}
