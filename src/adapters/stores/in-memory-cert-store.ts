import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';
import type { CertStore } from '../../ports/cert-store.js';

/** A CertStore with no backing data: for unit tests and as the contract suite's reference. */
export class InMemoryCertStore implements CertStore {
  private readonly certificates = new Map<Fingerprint, TrustedCertificate>();

  constructor(initial: Iterable<TrustedCertificate> = []) {
    for (const cert of initial) this.certificates.set(cert.fingerprint, cert);
  }

  async load(): Promise<void> {}

  contains(fingerprint: Fingerprint): boolean {
    return this.certificates.has(fingerprint);
  }

  size(): number {
    return this.certificates.size;
  }

  async add(certificate: TrustedCertificate): Promise<boolean> {
    if (this.certificates.has(certificate.fingerprint)) return false;
    this.certificates.set(certificate.fingerprint, { fingerprint: certificate.fingerprint, pem: certificate.pem });
    return true;
  }

  async addAll(certificates: readonly TrustedCertificate[]): Promise<number> {
    let added = 0;
    for (const certificate of certificates) if (await this.add(certificate)) added += 1;
    return added;
  }

  async remove(fingerprint: Fingerprint): Promise<boolean> {
    return this.certificates.delete(fingerprint);
  }

  async list(): Promise<readonly TrustedCertificate[]> {
    return [...this.certificates.values()];
  }

  async refresh(): Promise<void> {}

  async close(): Promise<void> {}
}
