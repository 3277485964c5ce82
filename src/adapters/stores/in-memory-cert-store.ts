import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';
import type { CertStore } from '../../ports/cert-store.js';

/**
 * A CertStore with no backing data: for unit tests and as the contract suite's reference.
 * Memory cannot be damaged, so a fault is only ever simulated, with `setFault`.
 */
export class InMemoryCertStore implements CertStore {
  private readonly certificates = new Map<Fingerprint, TrustedCertificate>();
  private faultReason: string | undefined;

  constructor(initial: Iterable<TrustedCertificate> = []) {
    for (const cert of initial) this.certificates.set(cert.fingerprint, cert);
  }

  async load(): Promise<void> {}

  fault(): string | undefined {
    return this.faultReason;
  }

  /**
   * Simulates backing data that cannot be read (`reason`), which empties the index as a
   * damaged file would, or its deletion (`undefined`: a fresh, empty store).
   */
  setFault(reason: string | undefined): void {
    this.faultReason = reason;
    this.certificates.clear();
  }

  contains(fingerprint: Fingerprint): boolean {
    return this.certificates.has(fingerprint);
  }

  size(): number {
    return this.certificates.size;
  }

  /** Heals a simulated fault, as `multipassd trust add` writing over a damaged file does. */
  async add(certificate: TrustedCertificate): Promise<boolean> {
    this.faultReason = undefined;
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
