import type { TrustedCertificate } from '../../../src/domain/trusted-certificate.js';

/** Just the certificates of what `CertStore.list` returns, for comparing with what was added. */
export function certificatesOf(records: readonly TrustedCertificate[]): TrustedCertificate[] {
  return records.map(({ fingerprint, pem }) => ({ fingerprint, pem }));
}
