import { peerKey, type Peer } from './peer.js';

export interface ConnectionLimitSettings {
  /** Connections one peer may hold before it has shown a trusted certificate. */
  readonly maxUntrustedPerPeer: number;
  /** The same, for all peers together. */
  readonly maxUntrustedTotal: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimitSettings = { maxUntrustedPerPeer: 32, maxUntrustedTotal: 256 };

/** A connection's place under the caps, held until it is trusted or closed. Releasing twice is harmless. */
export interface UntrustedSlot {
  release(): void;
}

/**
 * Caps the connections that have not (yet) shown a trusted certificate, per peer and in
 * total, so that nobody can pin the daemon's descriptors or memory by opening connections
 * and never authenticating. A trusted client's connection leaves the count as soon as its
 * certificate is recognised, so a flood never starves it.
 */
export class ConnectionLimits {
  private readonly perPeer = new Map<string, number>();
  private total = 0;

  constructor(private readonly settings: ConnectionLimitSettings = DEFAULT_CONNECTION_LIMITS) {}

  /** A slot for a new connection, or undefined when the peer or the daemon is at its cap. */
  admit(peer: Peer): UntrustedSlot | undefined {
    const key = peerKey(peer);
    const held = this.perPeer.get(key) ?? 0;
    if (held >= this.settings.maxUntrustedPerPeer || this.total >= this.settings.maxUntrustedTotal) return undefined;
    this.perPeer.set(key, held + 1);
    this.total += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.perPeer.get(key) ?? 1) - 1;
        if (left === 0) this.perPeer.delete(key);
        else this.perPeer.set(key, left);
      },
    };
  }

  /** How many untrusted connections are held, in total and by the given peer. */
  held(peer?: Peer): number {
    return peer === undefined ? this.total : (this.perPeer.get(peerKey(peer)) ?? 0);
  }
}
