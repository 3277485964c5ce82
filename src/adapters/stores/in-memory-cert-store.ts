import type { Fingerprint } from '../../domain/fingerprint.js';
import type { TrustedCertificate } from '../../domain/trusted-certificate.js';
import {
  laterOf,
  provenanceFor,
  withLabel,
  type IncomingCertificate,
  type Provenance,
  type SeenTimes,
  type TrustRecord,
} from '../../domain/trust-record.js';
import type { CertStore } from '../../ports/cert-store.js';

/**
 * A CertStore with no backing data: for unit tests and as the contract suite's reference.
 * Memory cannot be damaged, so a fault is only ever simulated, with `setFault`.
 */
export class InMemoryCertStore implements CertStore {
  private readonly certificates = new Map<Fingerprint, TrustRecord>();
  private faultReason: string | undefined;

  constructor(initial: Iterable<TrustedCertificate> = []) {
    const now = new Date();
    for (const cert of initial) this.certificates.set(cert.fingerprint, record(cert, undefined, now));
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
  async add(certificate: TrustedCertificate, provenance?: Provenance): Promise<boolean> {
    return (await this.addAll([certificate], provenance)) === 1;
  }

  async addAll(certificates: readonly IncomingCertificate[], provenance?: Provenance): Promise<number> {
    this.faultReason = undefined;
    const now = new Date();
    let added = 0;
    for (const certificate of certificates) {
      if (this.certificates.has(certificate.fingerprint)) continue;
      this.certificates.set(certificate.fingerprint, record(certificate, provenance, now));
      added += 1;
    }
    return added;
  }

  async remove(fingerprint: Fingerprint): Promise<boolean> {
    return this.certificates.delete(fingerprint);
  }

  async list(): Promise<readonly TrustRecord[]> {
    return [...this.certificates.values()];
  }

  async setLabel(fingerprint: Fingerprint, label: string | undefined): Promise<boolean> {
    const existing = this.certificates.get(fingerprint);
    if (existing === undefined) return false;
    this.certificates.set(fingerprint, { ...existing, provenance: withLabel(existing.provenance, label) });
    return true;
  }

  async recordSeen(seen: SeenTimes): Promise<void> {
    for (const [fingerprint, at] of seen) {
      const existing = this.certificates.get(fingerprint);
      if (existing === undefined) continue;
      const lastSeen = laterOf(existing.lastSeen, at);
      if (lastSeen !== undefined) this.certificates.set(fingerprint, { ...existing, lastSeen });
    }
  }

  async refresh(): Promise<void> {}

  async close(): Promise<void> {}
}

function record(incoming: IncomingCertificate, given: Provenance | undefined, now: Date): TrustRecord {
  const base = { fingerprint: incoming.fingerprint, pem: incoming.pem, provenance: provenanceFor(incoming, given, now) };
  return incoming.lastSeen === undefined ? base : { ...base, lastSeen: incoming.lastSeen };
}
