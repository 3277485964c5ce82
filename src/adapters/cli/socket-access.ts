import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { fileOwners } from '../system/file-owners.js';

/** Who may use the daemon's socket, and where this user stands: what a refusal's advice is made of. */
export interface SocketAccess {
  /** `root` */
  readonly owner: string;
  /** `sudo` */
  readonly group: string;
  /** The permission bits, `0o660`. */
  readonly mode: number;
  /** This user's name (`alice`), or `uid 1001` when it has none. */
  readonly user: string;
  /** Listed in the group's members, but not in this session's groups: joined since logging in. */
  readonly joinedSinceLogin: boolean;
}

/**
 * The socket's owner, group and mode, from its stat (a refusal does not say which group would
 * do), with names from the account databases. Undefined when the socket cannot be looked at
 * (a directory above it is closed): the refusal's own lines then have to do.
 */
export async function socketAccess(socketPath: string): Promise<SocketAccess | undefined> {
  let stats;
  try {
    stats = statSync(socketPath);
  } catch {
    return undefined;
  }
  const { owner, group, groupMembers } = await fileOwners(stats);
  const user = userName();
  return {
    owner,
    group,
    mode: stats.mode & 0o777,
    user,
    joinedSinceLogin: groupMembers.includes(user) && !(process.getgroups?.() ?? []).includes(stats.gid),
  };
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
