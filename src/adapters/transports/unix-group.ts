import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { filesFirstEntry } from '../system/nss-files.js';

const run = promisify(execFile);

/** Multipass's order: the first of these that exists is the admin group. */
export const DEFAULT_ADMIN_GROUPS = ['sudo', 'admin', 'wheel'] as const;

/**
 * Node has no getgrnam: `getent group` honours NSS (LDAP, sssd); /etc/group is the fallback
 * for systems without getent.
 */
export async function groupId(name: string): Promise<number | undefined> {
  const fromFiles = await filesFirstEntry('group', name);
  if (fromFiles !== undefined) return gidFromGroupLine(fromFiles.join(':'), name);
  try {
    const { stdout } = await run('getent', ['group', name]);
    return gidFromGroupLine(stdout.split('\n')[0] ?? '', name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined; // getent: no such group
  }
  try {
    const lines = (await readFile('/etc/group', 'utf8')).split('\n');
    for (const line of lines) {
      const gid = gidFromGroupLine(line, name);
      if (gid !== undefined) return gid;
    }
  } catch {
    // no /etc/group: nothing to resolve against
  }
  return undefined;
}

function gidFromGroupLine(line: string, name: string): number | undefined {
  const [groupName, , gid] = line.split(':');
  if (groupName !== name || gid === undefined) return undefined;
  const parsed = Number.parseInt(gid, 10);
  return Number.isInteger(parsed) ? parsed : undefined;
}

export interface AdminGroup {
  readonly name: string;
  readonly gid: number;
}

/**
 * The configured group, or the first default that exists. Undefined when none exists: the
 * socket then stays owner-only until it is opened.
 * @throws Error when a configured group does not exist (an admin typo must not silently
 * fall back to another group).
 */
export async function resolveAdminGroup(
  configured: string | undefined,
  lookup: (name: string) => Promise<number | undefined> = groupId,
): Promise<AdminGroup | undefined> {
  if (configured !== undefined) {
    const gid = await lookup(configured);
    if (gid === undefined) throw new Error(`socket group '${configured}' does not exist`);
    return { name: configured, gid };
  }
  for (const name of DEFAULT_ADMIN_GROUPS) {
    const gid = await lookup(name);
    if (gid !== undefined) return { name, gid };
  }
  return undefined;
}
