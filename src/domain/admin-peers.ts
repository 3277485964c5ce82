import type { UserDirectory } from '../ports/user-directory.js';
import type { AuditPeer } from './audit-event.js';
import type { AuditTrail } from './audit-trail.js';
import { AuthError } from './auth-error.js';
import type { Caller } from './caller.js';
import { PeerNames } from './peer-names.js';
import { peerKey, type Peer } from './peer.js';

/**
 * Who may administer trust through the running daemon: a caller the kernel reports (peer
 * credentials on the Unix socket) as root, the daemon's own user or a member of the admin
 * group. The certificate a caller shows counts for nothing here: anyone can mint one. Over
 * TCP nobody qualifies, since nothing says who is calling.
 */
export class AdminPeers {
  private readonly names: PeerNames;

  constructor(
    private readonly users: UserDirectory,
    private readonly options: { readonly adminGroup?: string; readonly audit?: AuditTrail } = {},
  ) {
    this.names = new PeerNames(users);
  }

  async isAdmin(peer: Peer): Promise<boolean> {
    return peer.kind === 'unix' && (await this.users.isAdmin(peer.uid, peer.gid));
  }

  /**
   * The admin behind `caller`, as the audit log names them (uid, account, pid).
   * @throws AuthError `not-admin` with a message saying who may, and a refusal in the audit
   * log (repeated refusals from one peer within a minute are one line).
   */
  async authorise(caller: Caller): Promise<AuditPeer> {
    const peer = caller.peer;
    if (await this.isAdmin(peer)) return this.names.forAudit(peer);
    await this.options.audit?.recordRepeated(`admin:${peerKey(peer)}`, {
      event: 'trust.admin.refused',
      outcome: 'refused',
      peer: await this.names.forAudit(peer),
      reason: peer.kind === 'unix' ? 'not-admin' : `${peer.kind}-peer`,
      ...(caller.certificate === undefined ? {} : { fingerprint: caller.certificate.fingerprint }),
    });
    throw new AuthError('not-admin', await this.refusal(peer));
  }

  /** Who may, in the words the admin CLI prints. */
  whoMay(): string {
    const group = this.options.adminGroup;
    return group === undefined ? "root or the daemon's own user" : `root or a member of the group '${group}'`;
  }

  private async refusal(peer: Peer): Promise<string> {
    if (peer.kind === 'tcp') {
      return (
        'Trust administration is not served over TCP: the daemon cannot tell who is calling. ' +
        "Use the daemon's Unix socket, or work on the store directly on the daemon's machine (--offline)."
      );
    }
    if (peer.kind !== 'unix') return `Trust administration needs ${this.whoMay()}, and the daemon cannot tell who is calling.`;
    const name = await this.users.userName(peer.uid);
    const who = name === undefined ? `uid ${peer.uid}` : `${name} (uid ${peer.uid})`;
    return `Trust administration needs ${this.whoMay()}; ${who} is neither. Run it with sudo.`;
  }
}
