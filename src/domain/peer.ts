/**
 * Who is at the other end of a connection, as the kernel (Unix socket peer credentials) or
 * the network stack (TCP remote address) says: never what the client claims. Per-peer limits
 * (connections, passphrase guesses) and the bootstrap check are keyed by it. A certificate
 * costs nothing to mint, so a peer is the only identity an attacker cannot multiply at will.
 */
export type Peer =
  | { readonly kind: 'unix'; readonly uid: number; readonly gid: number; readonly pid: number }
  | { readonly kind: 'tcp'; readonly address: string }
  | { readonly kind: 'unknown' };

export const UNKNOWN_PEER: Peer = { kind: 'unknown' };

/** A stable key for per-peer bookkeeping: `uid:1000`, `addr:127.0.0.1`, or `unknown`. */
export function peerKey(peer: Peer): string {
  switch (peer.kind) {
    case 'unix':
      return `uid:${peer.uid}`;
    case 'tcp':
      return `addr:${peer.address}`;
    default:
      return 'unknown';
  }
}
