import type { TLSSocket, PeerCertificate } from 'node:tls';
import type { ClientCertificate } from '../../domain/client-certificate.js';
import { clientCertificateFromPeer } from '../crypto/presented-certificate.js';
import { connectionOfCall } from './connection-guard.js';

/**
 * Per-connection client identity. grpc-js only exposes a peer certificate on a socket marked
 * `authorized`, and calls `getPeerCertificate()` on every RPC (DESIGN.md, known facts). We
 * read the certificate once per connection and memoise the object on the socket; that one
 * object is the key from a call to its connection, so each RPC's trust check is a WeakMap
 * get plus a Set lookup.
 *
 * Call from the TLS server's `secureConnection`. The handshake has already proven the client
 * holds the key; whether that certificate is trusted is the domain's decision, per RPC.
 * @returns undefined for a client that presented no certificate.
 * @throws AuthError `invalid-certificate` when the certificate's fields cannot be read.
 */
export function identifyPeer(socket: TLSSocket): { certificate: ClientCertificate; peer: PeerCertificate } | undefined {
  const peer = socket.getPeerCertificate();
  if (peer === null || peer === undefined || peer.raw === undefined || Object.keys(peer).length === 0) {
    return undefined;
  }
  const certificate = clientCertificateFromPeer(peer);
  socket.getPeerCertificate = (() => peer) as TLSSocket['getPeerCertificate'];
  // Safe: this flag only tells grpc-js to expose the certificate; it grants nothing by itself.
  socket.authorized = true;
  return { certificate, peer };
}

/** The certificate a call's connection presented, or undefined for an anonymous connection. */
export function certificateOfCall(call: { getAuthContext(): { sslPeerCertificate?: PeerCertificate } }): ClientCertificate | undefined {
  return connectionOfCall(call)?.certificate;
}
