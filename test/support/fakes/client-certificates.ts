import { randomBytes } from 'node:crypto';
import type { ClientCertificate } from '../../../src/domain/client-certificate.js';
import type { Fingerprint } from '../../../src/domain/fingerprint.js';

/** Far enough apart that the default certificate is valid for any clock a test uses. */
const DEFAULT_NOT_BEFORE = new Date('2000-01-01T00:00:00.000Z');
const DEFAULT_NOT_AFTER = new Date('2099-12-31T23:59:59.000Z');

/** A random fingerprint in the domain's canonical form (64 lowercase hex digits). */
export function randomFingerprint(): Fingerprint {
  return randomBytes(32).toString('hex') as Fingerprint;
}

/**
 * A ClientCertificate as the transport would hand it to the domain. Not real x509: the
 * domain never parses, it compares fingerprints and checks dates.
 */
export function makeClientCertificate(overrides: Partial<ClientCertificate> = {}): ClientCertificate {
  const fingerprint = overrides.fingerprint ?? randomFingerprint();
  return {
    fingerprint,
    pem: overrides.pem ?? fakePem(),
    notBefore: overrides.notBefore ?? DEFAULT_NOT_BEFORE,
    notAfter: overrides.notAfter ?? DEFAULT_NOT_AFTER,
  };
}

function fakePem(): string {
  const body = (randomBytes(96).toString('base64').match(/.{1,64}/g) ?? []).join('\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}
