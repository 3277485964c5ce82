import type { UserDirectory } from '../../ports/user-directory.js';
import { accountEntry } from './getent.js';

export interface AdminGroupId {
  readonly name: string;
  readonly gid: number;
}

type Lookup = typeof accountEntry;

const CACHE_MS = 60_000;

/**
 * Accounts from the system's passwd and group databases, cached for a minute: they are read
 * for log lines and bootstrap checks, never on a trusted call.
 */
export class SystemUserDirectory implements UserDirectory {
  private readonly cache = new Map<string, { at: number; value: Promise<string[] | undefined> }>();

  /**
   * @param adminGroup the socket's admin group; without one, only root and the daemon's own
   * user are admins.
   * @param daemonUid the daemon's own user, who owns the socket and may always reach it.
   */
  constructor(
    private readonly adminGroup: AdminGroupId | undefined,
    private readonly daemonUid: number,
    private readonly lookup: Lookup = accountEntry,
  ) {}

  async userName(uid: number): Promise<string | undefined> {
    return (await this.entry('passwd', String(uid)))?.[0];
  }

  async isAdmin(uid: number, gid: number): Promise<boolean> {
    if (uid === 0 || uid === this.daemonUid) return true;
    const group = this.adminGroup;
    if (group === undefined) return false;
    if (gid === group.gid) return true;
    const account = await this.entry('passwd', String(uid));
    if (account === undefined) return false;
    if (Number(account[3]) === group.gid) return true;
    const members = (await this.entry('group', group.name))?.[3]?.split(',') ?? [];
    return members.includes(account[0] as string);
  }

  private entry(database: 'passwd' | 'group', key: string): Promise<string[] | undefined> {
    const id = `${database}:${key}`;
    const now = Date.now();
    const cached = this.cache.get(id);
    if (cached !== undefined && now - cached.at < CACHE_MS) return cached.value;
    const value = this.lookup(database, key).catch(() => undefined);
    this.cache.set(id, { at: now, value });
    return value;
  }
}
