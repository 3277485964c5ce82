import type { UserDirectory } from '../../../src/ports/user-directory.js';

/** Accounts a test declares: names by uid, and which uids or gids count as admins. */
export class FakeUserDirectory implements UserDirectory {
  constructor(
    private readonly names: ReadonlyMap<number, string> = new Map([[0, 'root'], [1000, 'alice'], [65534, 'nobody']]),
    private readonly admins: { readonly uids?: readonly number[]; readonly gids?: readonly number[] } = { uids: [0, 1000] },
  ) {}

  async userName(uid: number): Promise<string | undefined> {
    return this.names.get(uid);
  }

  async isAdmin(uid: number, gid: number): Promise<boolean> {
    return (this.admins.uids ?? []).includes(uid) || (this.admins.gids ?? []).includes(gid);
  }
}
