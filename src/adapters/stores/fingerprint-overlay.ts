import type { Fingerprint } from '../../domain/fingerprint.js';
import type { FingerprintTable } from './fingerprint-table.js';

/**
 * A FingerprintTable read at start, with the store's own later additions and removals on top,
 * so that a store of 100,000 certificates never builds a Set of 100,000 strings and a write
 * does not re-read the table. Invariants: `added` holds nothing the table has, `removed`
 * only what it has; so `size` is exact.
 */
export class FingerprintOverlay {
  private readonly added = new Set<Fingerprint>();
  private readonly removed = new Set<Fingerprint>();

  constructor(private readonly base: FingerprintTable) {}

  has(fingerprint: Fingerprint): boolean {
    return this.added.has(fingerprint) || (this.base.has(fingerprint) && !this.removed.has(fingerprint));
  }

  get size(): number {
    return this.base.size - this.removed.size + this.added.size;
  }

  add(fingerprint: Fingerprint): void {
    if (this.base.has(fingerprint)) this.removed.delete(fingerprint);
    else this.added.add(fingerprint);
  }

  delete(fingerprint: Fingerprint): void {
    if (this.base.has(fingerprint)) this.removed.add(fingerprint);
    else this.added.delete(fingerprint);
  }
}
