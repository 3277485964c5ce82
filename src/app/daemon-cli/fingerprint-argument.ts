import { parseFingerprint, type Fingerprint } from '../../domain/fingerprint.js';
import { AdminFacingError } from './daemon-options.js';

/** A fingerprint as an admin pasted it (any case, colons allowed), or one line saying what is wrong. */
export function fingerprintArgument(text: string): Fingerprint {
  const fingerprint = parseFingerprint(text);
  if (fingerprint === undefined) throw new AdminFacingError(`'${text}' is not a SHA-256 fingerprint (64 hex digits, colons allowed)`);
  return fingerprint;
}
