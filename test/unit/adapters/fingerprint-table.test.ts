import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { FingerprintTable } from '../../../src/adapters/stores/fingerprint-table.js';

const digest = (i: number): Buffer => createHash('sha256').update(`certificate ${i}`).digest();
const hexOf = (bytes: Buffer): string => bytes.toString('hex');

describe('FingerprintTable (the fingerprint cache read back, without a string per fingerprint)', () => {
  it('holds exactly its fingerprints, whatever their number', () => {
    for (const count of [0, 1, 7, 1000]) {
      const members = Array.from({ length: count }, (_, i) => digest(i));
      const table = new FingerprintTable(Buffer.concat(members));
      expect(table.size).to.equal(count);
      for (const member of members) expect(table.has(hexOf(member)), `member of ${count}`).to.equal(true);
      for (let i = count; i < count + 200; i += 1) expect(table.has(hexOf(digest(i))), `stranger of ${count}`).to.equal(false);
    }
  });

  it('tells apart fingerprints whose first bytes (its hash) are the same, in the same slot', () => {
    const twin = (last: number) => Buffer.concat([Buffer.from('deadbeef', 'hex'), Buffer.alloc(27), Buffer.from([last])]);
    const table = new FingerprintTable(Buffer.concat([twin(1), twin(2), twin(3)]));
    expect([1, 2, 3].map((n) => table.has(hexOf(twin(n))))).to.deep.equal([true, true, true]);
    expect(table.has(hexOf(twin(4)))).to.equal(false);
  });

  it('answers false, never throws, for what is not a lowercase fingerprint', () => {
    const member = digest(1);
    const table = new FingerprintTable(member);
    expect(table.has(hexOf(member).toUpperCase())).to.equal(false);
    expect(table.has(hexOf(member).slice(1))).to.equal(false);
    expect(table.has(`${hexOf(member)}0`)).to.equal(false);
    expect(table.has('z'.repeat(64))).to.equal(false);
    expect(table.has('')).to.equal(false);
  });

  it('answers every later lookup as the first, for members and strangers alike', () => {
    const members = [digest(1), digest(2)];
    const table = new FingerprintTable(Buffer.concat(members));
    for (let round = 0; round < 3; round += 1) {
      expect(members.map((member) => table.has(hexOf(member))), `round ${round}`).to.deep.equal([true, true]);
      expect(table.has(hexOf(digest(3))), `stranger, round ${round}`).to.equal(false);
      expect(table.has(hexOf(members[0]!).toUpperCase()), `upper case, round ${round}`).to.equal(false);
    }
  });

  it('iterates in the order of the bytes', () => {
    const members = [digest(3), digest(1), digest(2)];
    expect([...new FingerprintTable(Buffer.concat(members))]).to.deep.equal(members.map(hexOf));
  });

  it('refuses bytes that are not whole fingerprints, or that hold one twice', () => {
    expect(() => new FingerprintTable(Buffer.alloc(33))).to.throw('whole number');
    expect(() => new FingerprintTable(Buffer.concat([digest(1), digest(2), digest(1)]))).to.throw('twice');
  });
});
