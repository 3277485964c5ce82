import { statSync } from 'node:fs';
import { fileOwners } from '../system/file-owners.js';
import { accountEntry } from '../system/getent.js';
import { octalMode } from './doctor-report.js';

/** This process's user, as the kernel will present it to the daemon. */
export interface ProcessUser {
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
}

export const processUser = (): ProcessUser => ({
  uid: process.getuid?.() ?? -1,
  gid: process.getgid?.() ?? -1,
  groups: process.getgroups?.() ?? [],
});

export type SocketInspection =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'not-a-socket' }
  | {
      readonly kind: 'socket';
      /** `mode 0660, owner root, group sudo` */
      readonly description: string;
      readonly groupName: string;
      readonly mode: number;
      readonly canConnect: boolean;
    };

/** What the socket file allows this user: connecting to a Unix socket needs write permission on it. */
export async function inspectSocket(path: string, user: ProcessUser): Promise<SocketInspection> {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', reason: (error as Error).message };
  }
  if (!stats.isSocket()) return { kind: 'not-a-socket' };
  const { owner, group: groupName } = await fileOwners(stats);
  const inGroup = user.gid === stats.gid || user.groups.includes(stats.gid);
  const canConnect =
    user.uid === 0 ||
    (user.uid === stats.uid ? (stats.mode & 0o200) !== 0 : inGroup ? (stats.mode & 0o020) !== 0 : (stats.mode & 0o002) !== 0);
  return { kind: 'socket', description: `mode ${octalMode(stats.mode)}, owner ${owner}, group ${groupName}`, groupName, mode: stats.mode, canConnect };
}

/** This user as people name them: `alice (uid 1000)`. */
export async function userName(uid: number): Promise<string> {
  const name = (await accountEntry('passwd', String(uid)))?.[0];
  return name === undefined ? `uid ${uid}` : `${name} (uid ${uid})`;
}
