import { accountEntry } from './getent.js';

/** A file's owner and group as people name them. */
export interface FileOwners {
  /** `root`, or `uid 1001` when the account databases do not know it. */
  readonly owner: string;
  /** `sudo`, or `gid 27`. */
  readonly group: string;
  /** The group's listed members (not those for whom it is the primary group). */
  readonly groupMembers: readonly string[];
}

/** Names for a stat's uid and gid, from the account databases (what every socket message shows). */
export async function fileOwners(stats: { readonly uid: number; readonly gid: number }): Promise<FileOwners> {
  const owner = (await accountEntry('passwd', String(stats.uid)))?.[0] ?? `uid ${stats.uid}`;
  const groupEntry = await accountEntry('group', String(stats.gid));
  return {
    owner,
    group: groupEntry?.[0] ?? `gid ${stats.gid}`,
    groupMembers: (groupEntry?.[3] ?? '').split(',').filter((name) => name !== ''),
  };
}
