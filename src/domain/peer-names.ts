import type { UserDirectory } from '../ports/user-directory.js';
import type { AuditPeer } from './audit-event.js';
import type { Peer } from './peer.js';
import type { Provenance, TrustVia } from './trust-record.js';

/** A peer as log lines, audit lines and trust records name it: uid and account name, or the address. */
export class PeerNames {
  constructor(private readonly users: UserDirectory) {}

  /** For the daemon's log lines. */
  async forLog(peer: Peer): Promise<Record<string, unknown>> {
    switch (peer.kind) {
      case 'unix':
        return { uid: peer.uid, user: (await this.users.userName(peer.uid)) ?? null, pid: peer.pid };
      case 'tcp':
        return { address: peer.address };
      default:
        return { unknown: true };
    }
  }

  async forAudit(peer: Peer): Promise<AuditPeer> {
    switch (peer.kind) {
      case 'unix': {
        const user = await this.users.userName(peer.uid);
        return { uid: peer.uid, ...(user === undefined ? {} : { user }), pid: peer.pid };
      }
      case 'tcp':
        return { address: peer.address };
      default:
        return {};
    }
  }

  /** How a client got in, now: with the uid and account name when the transport knows them. */
  async provenance(via: TrustVia, peer: Peer, at: Date): Promise<Provenance> {
    if (peer.kind !== 'unix') return { via, at };
    const user = await this.users.userName(peer.uid);
    return { via, at, uid: peer.uid, ...(user === undefined ? {} : { user }) };
  }
}
