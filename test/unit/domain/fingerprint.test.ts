import { expect } from 'chai';
import { isFingerprint, parseFingerprint } from '../../../src/domain/fingerprint.js';

const CANONICAL = '3f1a9c0b7d2e4f6a8b0c1d2e3f4a5b6c7d8e9f00112233445566778899aabbcc';

function colonSeparated(hex: string): string {
  return (hex.match(/../g) ?? []).join(':');
}

describe('fingerprint', () => {
  it('accepts the canonical lowercase form unchanged', () => {
    expect(parseFingerprint(CANONICAL)).to.equal(CANONICAL);
  });

  it('accepts the upper-case form and normalises it to lowercase', () => {
    expect(parseFingerprint(CANONICAL.toUpperCase())).to.equal(CANONICAL);
  });

  it('accepts the colon-separated form openssl prints', () => {
    expect(parseFingerprint(colonSeparated(CANONICAL.toUpperCase()))).to.equal(CANONICAL);
  });

  it('ignores surrounding whitespace from a pasted value', () => {
    expect(parseFingerprint(`  ${CANONICAL}\n`)).to.equal(CANONICAL);
  });

  it('rejects a fingerprint one digit too short or too long', () => {
    expect(parseFingerprint(CANONICAL.slice(1))).to.equal(undefined);
    expect(parseFingerprint(`${CANONICAL}0`)).to.equal(undefined);
  });

  it('rejects a SHA-1 length fingerprint', () => {
    expect(parseFingerprint(CANONICAL.slice(0, 40))).to.equal(undefined);
  });

  it('rejects non-hex characters', () => {
    expect(parseFingerprint(`g${CANONICAL.slice(1)}`)).to.equal(undefined);
    expect(parseFingerprint(`${CANONICAL.slice(0, 63)}-`)).to.equal(undefined);
  });

  it('rejects the empty string', () => {
    expect(parseFingerprint('')).to.equal(undefined);
  });

  it('treats only the canonical lowercase form as a fingerprint', () => {
    expect(isFingerprint(CANONICAL)).to.equal(true);
    expect(isFingerprint(CANONICAL.toUpperCase())).to.equal(false);
    expect(isFingerprint(colonSeparated(CANONICAL))).to.equal(false);
  });
});
