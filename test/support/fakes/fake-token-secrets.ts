import { createHash } from 'node:crypto';
import type { TokenSecrets } from '../../../src/ports/token-secrets.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Secrets and ids from a counter (`aaa...ab`, `id1`), so a test knows every token it will get; a real SHA-256. */
export class FakeTokenSecrets implements TokenSecrets {
  private count = 0;

  newSecret(): string {
    this.count += 1;
    const digits = [...this.count.toString(32)].map((digit) => ALPHABET[parseInt(digit, 32)]).join('');
    return digits.padStart(32, 'a');
  }

  newId(): string {
    return `id${this.count}`;
  }

  digest(text: string): string {
    return createHash('sha256').update(text, 'utf8').digest('hex');
  }
}
