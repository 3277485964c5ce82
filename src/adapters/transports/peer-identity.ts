import type { TLSSocket, PeerCertificate } from 'node:tls';
import type { ClientCertificate } from '../../domain/client-certificate.js';
import { clientCertificateFromPeer } from '../crypto/presented-certificate.js';

/**
 * Per-connection client identity. grpc-js only exposes a peer certificate on a socket marked
 * `authorized`, and calls `getPeerCertificate()` on every RPC (DESIGN.md, known facts). We
 * read the certificate once per connection, memoise it on the socket, and key the parsed
 * identity by that one object, so each RPC's trust check is a WeakMap get plus a Set lookup.
 */
const identities = new WeakMap<PeerCertificate, ClientCertificate>();

/**
 * Call from the TLS server's `secureConnection`. The handshake has already proven the client
 * holds the key; whether that certificate is trusted is the domain's decision, per RPC.
 */
export function identifyPeer(socket: TLSSocket): ClientCertificate | undefined {
  const peer = socket.getPeerCertificate();
  if (peer === null || peer === undefined || peer.raw === undefined || Object.keys(peer).length === 0) {
    return undefined;
  }
  const certificate = clientCertificateFromPeer(peer);
  identities.set(peer, certificate);
  socket.getPeerCertificate = (() => peer) as TLSSocket["getPeerCertificate"];
  // Safe: this flag only tells grpc-js to expose the certificate; it grants nothing by itself.
  socket.authorized = true;
  return certificate;
}

/** The certificate a call's connection presented, or undefined for an anonymous connection. */
export function certificateOfCall(call: { getAuthContext(): { sslPeerCertificate?: PeerCertificate } }): ClientCertificate | undefined {
  const peer = call.getAuthContext().sslPeerCertificate;
  return peer === undefined ? undefined : identities.get(peer);
}
