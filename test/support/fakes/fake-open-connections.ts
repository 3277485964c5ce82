import type { Fingerprint } from '../../../src/domain/fingerprint.js';
import type { OpenConnections } from '../../../src/ports/open-connections.js';

/** Open trusted connections a test declares, by certificate; records which were ended. */
export class FakeOpenConnections implements OpenConnections {
  readonly open = new Map<Fingerprint, number>();
  readonly closed: Fingerprint[] = [];

  connect(fingerprint: Fingerprint, count = 1): this {
    this.open.set(fingerprint, (this.open.get(fingerprint) ?? 0) + count);
    return this;
  }

  fingerprints(): readonly Fingerprint[] {
    return [...this.open.keys()];
  }

  closeAllOf(fingerprint: Fingerprint): number {
    const count = this.open.get(fingerprint) ?? 0;
    this.open.delete(fingerprint);
    if (count > 0) this.closed.push(fingerprint);
    return count;
  }
}
