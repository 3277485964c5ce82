import { createHash, timingSafeEqual } from 'node:crypto';
import type { PassphraseHasher } from '../../../src/ports/passphrase-hasher.js';

const PREFIX = 'fake-sha256';

/**
 * A fast, deterministic stand-in for the scrypt hasher: `fake-sha256$<salt>$<hex digest>`.
 * The salt is a counter, so equal passphrases still give different strings, and the
 * passphrase text itself never appears in the output. Counts calls so that tests can tell
 * the domain really went through the hasher.
 */
export class FakePassphraseHasher implements PassphraseHasher {
  hashCalls = 0;
  verifyCalls = 0;
  /**
   * Strings starting with `legacyPrefix` (set by a test) stand for an outdated format: they
   * verify when the rest is the passphrase itself, and need a rehash.
   */
  legacyPrefix: string | undefined;
  private nextSalt = 1;

  async hash(passphrase: string): Promise<string> {
    this.hashCalls += 1;
    const salt = `salt${String(this.nextSalt++).padStart(4, '0')}`;
    return `${PREFIX}$${salt}$${digest(salt, passphrase).toString('hex')}`;
  }

  recognises(encoded: string): boolean {
    return parse(encoded) !== undefined || (this.legacyPrefix !== undefined && encoded.startsWith(this.legacyPrefix));
  }

  needsRehash(encoded: string): boolean {
    return this.legacyPrefix !== undefined && encoded.startsWith(this.legacyPrefix);
  }

  async verify(passphrase: string, encoded: string): Promise<boolean> {
    this.verifyCalls += 1;
    if (this.needsRehash(encoded)) return encoded.slice(this.legacyPrefix!.length) === passphrase;
    const parsed = parse(encoded);
    if (parsed === undefined) return false;
    const { salt, hex } = parsed;
    const expected = Buffer.from(hex, 'hex');
    const actual = digest(salt, passphrase);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

function parse(encoded: string): { salt: string; hex: string } | undefined {
  const [prefix, salt, hex, ...rest] = encoded.split('$');
  if (prefix !== PREFIX || salt === undefined || hex === undefined || rest.length > 0 || !/^[0-9a-f]{64}$/.test(hex)) return undefined;
  return { salt, hex };
}

function digest(salt: string, passphrase: string): Buffer {
  return createHash('sha256').update(salt).update('\0').update(passphrase).digest();
}
