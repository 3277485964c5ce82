import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { FingerprintOverlay } from '../../../src/adapters/stores/fingerprint-overlay.js';
import { FingerprintTable } from '../../../src/adapters/stores/fingerprint-table.js';
import type { Fingerprint } from '../../../src/domain/fingerprint.js';

const digest = (i: number): Buffer => createHash('sha256').update(`certificate ${i}`).digest();
const fp = (i: number): Fingerprint => digest(i).toString('hex') as Fingerprint;

describe('FingerprintOverlay (the SQLite index read at start, with the store\'s own writes on top)', () => {
  it('answers and counts like a Set through any sequence of adds and removes', () => {
    const overlay = new FingerprintOverlay(new FingerprintTable(Buffer.concat([0, 1, 2, 3].map(digest))));
    const model = new Set([0, 1, 2, 3].map(fp));
    // Removing and re-adding read ones, adding new ones twice, removing strangers and new ones.
    const steps: Array<['add' | 'delete', number]> = [
      ['delete', 1], ['delete', 1], ['add', 5], ['add', 5], ['delete', 9], ['add', 1], ['delete', 5],
      ['delete', 0], ['add', 6], ['delete', 2], ['add', 2], ['add', 0], ['delete', 6], ['add', 7],
    ];
    for (const [operation, i] of steps) {
      overlay[operation](fp(i));
      model[operation](fp(i));
      expect(overlay.size, `${operation} ${i}: size`).to.equal(model.size);
      for (let j = 0; j < 10; j += 1) expect(overlay.has(fp(j)), `${operation} ${i}: has ${j}`).to.equal(model.has(fp(j)));
    }
  });
});
