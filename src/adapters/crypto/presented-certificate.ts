import { X509Certificate } from 'node:crypto';
import { AuthError } from '../../domain/auth-error.js';
import type { ClientCertificate } from '../../domain/client-certificate.js';
import { armour, fingerprintOfDer } from './pem-certificates.js';

/** The fields of node:tls `getPeerCertificate()` that identify a client. */
export interface PeerCertificateFields {
  readonly raw: Buffer;
  /** OpenSSL's text form, e.g. `Jan  1 00:00:00 2024 GMT`. */
  readonly valid_from: string;
  readonly valid_to: string;
}

/**
 * The certificate a TLS client presented, read once per connection. No X.509 parse here:
 * OpenSSL has already parsed it during the handshake, and a parse costs far more than the
 * hash (DESIGN.md, cost per call).
 * @throws AuthError `invalid-certificate` when the fields are missing or the dates unreadable.
 */
export function clientCertificateFromPeer(peer: PeerCertificateFields): ClientCertificate {
  if (!Buffer.isBuffer(peer.raw) || peer.raw.length === 0) {
    throw new AuthError('invalid-certificate', 'The TLS peer certificate has no DER encoding.');
  }
  return fromDer(peer.raw, peer.valid_from, peer.valid_to);
}

/**
 * Parses text that must hold exactly one PEM certificate (other text around it, such as
 * `openssl x509 -text` output, is ignored). Same fingerprint, PEM and dates as
 * `clientCertificateFromPeer` gives for that certificate on a connection.
 * @throws AuthError `invalid-certificate` for anything else: no certificate, several, a key.
 */
export function clientCertificateFromPem(pem: string): ClientCertificate {
  const blocks = typeof pem === 'string' ? [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)] : [];
  if (blocks.length !== 1 || blocks[0]![1] !== 'CERTIFICATE') {
    const found = blocks.length === 0 ? 'no PEM block' : blocks.map((block) => block[1]).join(', ');
    throw new AuthError('invalid-certificate', `Expected exactly one PEM certificate, found: ${found}.`);
  }
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(pem);
  } catch (error) {
    throw new AuthError('invalid-certificate', 'The PEM certificate cannot be parsed.', { cause: error });
  }
  return fromDer(parsed.raw, parsed.validFrom, parsed.validTo);
}

// The same fingerprint and armour as the certificate stores use, so that what a connection
// presents and what a store holds compare equal byte for byte.
function fromDer(der: Buffer, validFrom: string, validTo: string): ClientCertificate {
  const notBefore = new Date(validFrom);
  const notAfter = new Date(validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new AuthError('invalid-certificate', `The certificate's validity dates cannot be read ('${validFrom}', '${validTo}').`);
  }
  return {
    fingerprint: fingerprintOfDer(der),
    pem: armour(der),
    notBefore,
    notAfter,
  };
}
