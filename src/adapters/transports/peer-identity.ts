import type { TLSSocket } from 'node:tls';
import type { ClientCertificate } from '../../domain/client-certificate.js';
import { clientCertificateFromPeer } from '../crypto/presented-certificate.js';

/**
 * A connection's client identity, read once when its TLS handshake is done and kept with the
 * connection, so that each call's trust check is a lookup by fingerprint, never a
 * certificate parse. The handshake has already proven the client holds the key; whether
 * that certificate is trusted is the domain's decision, per RPC.
 * @returns undefined for a client that presented no certificate.
 * @throws AuthError `invalid-certificate` when the certificate's fields cannot be read.
 */
export function identifyPeer(socket: TLSSocket): { certificate: ClientCertificate } | undefined {
  const peer = socket.getPeerCertificate();
  if (peer === null || peer === undefined || peer.raw === undefined || Object.keys(peer).length === 0) {
    return undefined;
  }
  return { certificate: clientCertificateFromPeer(peer) };
}
