import { createHash, randomBytes } from 'node:crypto';
import type { TokenSecrets } from '../../ports/token-secrets.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lowercase, without padding: easy to read out, type and paste. */
export function base32(bytes: Uint8Array): string {
  let text = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) text += ALPHABET[(value << (5 - bits)) & 31];
  return text;
}

/** Token randomness from node's CSPRNG, and SHA-256. */
export class NodeTokenSecrets implements TokenSecrets {
  newSecret(): string {
    return base32(randomBytes(20));
  }

  newId(): string {
    return base32(randomBytes(5));
  }

  digest(text: string): string {
    return createHash('sha256').update(text, 'utf8').digest('hex');
  }
}
