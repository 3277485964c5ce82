/**
 * A certificate's identity: the lowercase hex SHA-256 of its DER encoding.
 * Branded so that an arbitrary string cannot be passed where a fingerprint is meant.
 */
export type Fingerprint = string & { readonly __brand: 'Fingerprint' };

const SHAPE = /^[0-9a-f]{64}$/;

export function isFingerprint(value: string): value is Fingerprint {
  return SHAPE.test(value);
}

/** Accepts the forms admins paste: upper or lower case, with or without colons. */
export function parseFingerprint(text: string): Fingerprint | undefined {
  const normalised = text.trim().replace(/:/g, '').toLowerCase();
  return isFingerprint(normalised) ? normalised : undefined;
}
